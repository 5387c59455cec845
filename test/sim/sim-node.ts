// One simulated server: a RawNode plus a driver that behaves like the real one. Durable state (the
// MemoryStorage, the toy state machine) survives crash(); the RawNode and anything not yet persisted
// through a Ready do not.

import { changeConf, decodeConfChange } from "../../src/raft/core/conf-change.ts";
import { MemoryStorage } from "../../src/raft/core/memory-storage.ts";
import { RawNode } from "../../src/raft/core/raw-node.ts";
import type { Ready } from "../../src/raft/core/raw-node.ts";
import { Rng } from "../../src/raft/core/rng.ts";
import type { ConfState, Entry, Message, NodeId, SnapshotMeta } from "../../src/raft/core/types.ts";
import { fail } from "./checker.ts";
import type { Checker } from "./checker.ts";
import { bytesHash, mix } from "./hash.ts";
import type { SimNetwork, SnapshotData } from "./network.ts";

export const BOOT_CHAIN = 0x5eed;
export const BOOT_SM = 0xb007;

/** Key of an entry's payload: a proposal's id, 0 for the no-op, a hash for anything else. */
export function entryKey(e: Entry): number {
  if (e.data.length === 0) return 0;
  if (e.type === "normal" && e.data.length === 8) return new DataView(e.data.buffer, e.data.byteOffset, 8).getFloat64(0);
  return bytesHash(e.data) + 0.5; // never equal to a proposal id
}

export function proposalData(id: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, id);
  return out;
}

function chainOf(prev: number, e: Entry): number {
  return mix(mix(mix(prev, e.index), e.term), entryKey(e));
}

/** Chain hashes alongside the durable log, with exactly MemoryStorage's append/compact semantics. */
class LogMirror {
  snapIndex: number;
  snapChain: number;
  private chains: number[] = [];

  constructor(snapIndex: number, snapChain: number) {
    this.snapIndex = snapIndex;
    this.snapChain = snapChain;
  }

  lastIndex(): number {
    return this.snapIndex + this.chains.length;
  }

  chainAt(i: number): number | undefined {
    if (i === this.snapIndex) return this.snapChain;
    if (i < this.snapIndex || i > this.lastIndex()) return undefined;
    return this.chains[i - this.snapIndex - 1];
  }

  append(entries: readonly Entry[]): void {
    let k = 0;
    while (k < entries.length && entries[k]!.index <= this.snapIndex) k++;
    if (k === entries.length) return;
    const start = entries[k]!.index;
    this.chains.length = start - this.snapIndex - 1;
    for (; k < entries.length; k++) {
      const e = entries[k]!;
      this.chains.push(chainOf(this.chainAt(e.index - 1)!, e));
    }
  }

  compact(index: number): void {
    const c = this.chainAt(index)!;
    this.chains = this.chains.slice(index - this.snapIndex);
    this.snapIndex = index;
    this.snapChain = c;
  }

  install(index: number, chain: number): void {
    this.snapIndex = index;
    this.snapChain = chain;
    this.chains = [];
  }
}

export interface NodeParams {
  electionTick: number;
  heartbeatTick: number;
  preVote: boolean;
  checkQuorum: boolean;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  maxUncommittedBytes: number;
  /** Committed entry bytes per Ready: small values make the applied index trail the commit. */
  maxCommittedSizePerReady: number;
  /** Readies handled per driver turn (1 = a driver that yields between Readies). */
  readiesPerTurn: number;
  /**
   * 0: persist synchronously. Otherwise a Ready's write takes this many micro-steps, during which the
   * node keeps stepping and ticking (a driver that fsyncs asynchronously); then send, apply, advance.
   */
  persistDelay: number;
  /** Compact once this many applied entries sit in the log. */
  compactEvery: number;
  /** Keep up to this many applied entries when compacting. */
  compactKeep: number;
}

/** What the simulation offers a node: time, network, checker, randomness, fault decisions, logging. */
export interface SimContext {
  now: number;
  readonly net: SimNetwork;
  readonly checker: Checker;
  readonly rng: Rng;
  readonly seed: number;
  /** Where to crash inside this Ready's handling (0 = nowhere). */
  crashPoint(): 0 | 1 | 2 | 3 | 4;
  log(line: string): void;
  readonly verbose: boolean;
  onApplied(node: SimNode, e: Entry): void;
}

export class SimNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode | null = null;
  incarnation = 0;
  /** Removed from the membership and shut down for good. */
  retired = false;
  removedAtTick = -1;
  tickRate = 1;

  // Durable state machine: applied index, a hash of the applied sequence, the membership.
  smApplied: number;
  smHash: number;
  smConf: ConfState;
  private smHashAt = new Map<number, number>();
  private confHistory: { index: number; conf: ConfState }[];
  /** State-machine hash at the storage's snapshot index (what a snapshot from storage contains). */
  private snapSmHash: number;
  private readonly mirror: LogMirror;
  /** Highest commit made durable (for the checker's registry). */
  private durableCommit: number;

  // Volatile.
  /** A Ready whose write is in progress (async persistence mode). */
  private writing: { rd: Ready; doneAt: number } | null = null;
  private readonly pendingSnapData = new Map<number, SnapshotData>();
  private unreachable: NodeId[] = [];
  snapshotsInstalled = 0;

  constructor(
    id: NodeId,
    readonly params: NodeParams,
    founders: NodeId[] | null,
  ) {
    this.id = id;
    if (founders !== null) {
      this.storage = MemoryStorage.bootstrap(founders);
      this.smApplied = 1;
      this.smHash = BOOT_SM;
      this.smConf = { voters: founders.slice(), learners: [] };
      this.mirror = new LogMirror(1, BOOT_CHAIN);
      this.snapSmHash = BOOT_SM;
      this.durableCommit = 1;
    } else {
      this.storage = new MemoryStorage();
      this.smApplied = 0;
      this.smHash = 0;
      this.smConf = { voters: [], learners: [] };
      this.mirror = new LogMirror(0, 0);
      this.snapSmHash = 0;
      this.durableCommit = 0;
    }
    this.smHashAt.set(this.smApplied, this.smHash);
    this.confHistory = [{ index: this.smApplied, conf: this.smConf }];
  }

  get live(): boolean {
    return this.raw !== null;
  }

  start(ctx: SimContext): void {
    const p = this.params;
    this.raw = new RawNode({
      id: this.id,
      storage: this.storage,
      applied: this.smApplied,
      electionTick: p.electionTick,
      heartbeatTick: p.heartbeatTick,
      preVote: p.preVote,
      checkQuorum: p.checkQuorum,
      maxSizePerMsg: p.maxSizePerMsg,
      maxInflightMsgs: p.maxInflightMsgs,
      maxUncommittedBytes: p.maxUncommittedBytes,
      maxCommittedSizePerReady: p.maxCommittedSizePerReady,
      random: new Rng(ctx.seed * 7919 + this.id * 104729 + this.incarnation).asFunction(),
    });
    if (ctx.verbose) ctx.log(`n${this.id} start (incarnation ${this.incarnation}, applied ${this.smApplied})`);
  }

  crash(ctx: SimContext): void {
    if (ctx.verbose) ctx.log(`n${this.id} crash`);
    this.raw = null;
    this.incarnation++;
    this.writing = null;
    this.pendingSnapData.clear();
    this.unreachable = [];
  }

  /** A snap message arrived with its out-of-band data: keep the data for when the core surfaces it. */
  receiveSnapshotData(index: number, data: SnapshotData): void {
    this.pendingSnapData.set(index, data);
  }

  /** Is there driver work to do now? */
  busy(ctx: SimContext): boolean {
    if (this.raw === null) return false;
    if (this.writing !== null) return this.writing.doneAt <= ctx.now;
    return this.raw.hasReady();
  }

  /** Handle pending Readies the way the production driver must (up to readiesPerTurn of them). */
  processReady(ctx: SimContext): void {
    if (this.params.persistDelay > 0) {
      if (this.writing !== null && this.writing.doneAt <= ctx.now) {
        const rd = this.writing.rd;
        this.writing = null;
        this.handleReady(ctx, rd);
      }
      if (this.writing === null && this.raw !== null && this.raw.hasReady()) {
        this.writing = { rd: this.raw.ready(), doneAt: ctx.now + this.params.persistDelay };
      }
      return;
    }
    for (let k = 0; k < this.params.readiesPerTurn && this.raw !== null && this.raw.hasReady(); k++) {
      this.handleReady(ctx, this.raw.ready());
    }
  }

  private handleReady(ctx: SimContext, rd: Ready): void {
    const raw = this.raw!;
    const crashAt = ctx.crashPoint();
    if (ctx.verbose) this.logReady(ctx, rd);
    if (crashAt === 1) return this.crash(ctx);

    // 1-2. Persist: snapshot first, then entries and hard state (atomically, as one transaction).
    if (rd.snapshot) this.installSnapshot(ctx, rd.snapshot);
    if (rd.entries.length > 0) {
      this.storage.append(rd.entries);
      this.mirror.append(rd.entries);
      if (this.mirror.lastIndex() !== this.storage.lastIndex()) fail(`n${this.id}: storage and mirror disagree on the last index`);
      for (const e of rd.entries) {
        const c = this.mirror.chainAt(e.index);
        if (c !== undefined) ctx.checker.onPersistEntry(this.id, e.index, e.term, c);
      }
    }
    if (rd.hardState) {
      this.storage.setHardState(rd.hardState);
      const commit = rd.hardState.commit;
      if (commit > this.durableCommit) {
        ctx.checker.onCommit(this.id, this.durableCommit, commit, rd.hardState.term, (i) => this.mirror.chainAt(i), this.mirror.snapIndex);
        this.durableCommit = commit;
      }
    }
    if (crashAt === 2) return this.crash(ctx);

    // 3. Send, now that what the messages promise is durable.
    for (const m of rd.messages) this.sendMessage(ctx, m);
    if (crashAt === 3) return this.crash(ctx);

    // 4. Apply.
    for (const e of rd.committedEntries) this.apply(ctx, raw, e);
    for (const rs of rd.readStates) {
      const id = new DataView(rs.ctx.buffer, rs.ctx.byteOffset, rs.ctx.byteLength).getFloat64(0);
      ctx.checker.onReadState(this.id, id, rs.index);
    }
    if (crashAt === 4) return this.crash(ctx);

    raw.advance();

    if (raw.role === "leader") {
      ctx.checker.checkLeader(this.id, raw.term, this.mirror.lastIndex(), this.mirror.snapIndex, (i) => this.mirror.chainAt(i));
    }
    this.maybeCompact(ctx);
    if (this.unreachable.length > 0) {
      const ids = this.unreachable;
      this.unreachable = [];
      for (const id of ids) raw.reportUnreachable(id);
    }
  }

  private sendMessage(ctx: SimContext, m: Message): void {
    let data: SnapshotData | null = null;
    if (m.type === "snap") data = this.prepareSnapshot(ctx, m);
    if (!ctx.net.send(ctx.now, m, data, this.incarnation) && ctx.rng.chance(0.5)) this.unreachable.push(m.to);
  }

  /**
   * Attach the snapshot's content. Half the time, like a driver whose snapshot is "the database now",
   * send the state as of the applied index instead and describe that in the message; always so when
   * the storage has been compacted past the snapshot the core named (an asynchronous write delayed
   * the send).
   */
  private prepareSnapshot(ctx: SimContext, m: Message): SnapshotData {
    const meta = m.snapshot!;
    const stored = this.storage.snapshotMeta().index;
    if (meta.index > stored) fail(`n${this.id} sends snapshot ${meta.index}, newer than its storage's ${stored}`);
    if (meta.index < stored || (this.smApplied > meta.index && ctx.rng.chance(0.5))) {
      const index = this.smApplied;
      m.snapshot = { index, term: this.storage.term(index), conf: { voters: this.smConf.voters.slice(), learners: this.smConf.learners.slice() } };
      return { smHash: this.smHash, chain: this.mirror.chainAt(index)! };
    }
    return { smHash: this.snapSmHash, chain: this.mirror.chainAt(meta.index)! };
  }

  private installSnapshot(ctx: SimContext, meta: SnapshotMeta): void {
    const data = this.pendingSnapData.get(meta.index);
    if (data === undefined) fail(`n${this.id}: Ready carries snapshot ${meta.index} but no such snapshot arrived`);
    for (const k of [...this.pendingSnapData.keys()]) if (k <= meta.index) this.pendingSnapData.delete(k);
    ctx.checker.onSnapshotInstall(this.id, meta.index, data.chain, data.smHash);
    if (meta.index <= this.smApplied) fail(`n${this.id}: snapshot ${meta.index} is not newer than applied ${this.smApplied}`);
    this.storage.applySnapshot(meta);
    this.mirror.install(meta.index, data.chain);
    this.smApplied = meta.index;
    this.smHash = data.smHash;
    this.smConf = { voters: meta.conf.voters.slice(), learners: meta.conf.learners.slice() };
    this.smHashAt = new Map([[meta.index, data.smHash]]);
    this.confHistory = [{ index: meta.index, conf: this.smConf }];
    this.snapSmHash = data.smHash;
    this.snapshotsInstalled++;
    if (ctx.verbose) ctx.log(`n${this.id} installed snapshot ${meta.index}/${meta.term}`);
  }

  private apply(ctx: SimContext, raw: RawNode, e: Entry): void {
    if (e.index !== this.smApplied + 1) fail(`n${this.id} applies ${e.index} right after ${this.smApplied}`);
    if (e.type === "confChange") {
      const cc = decodeConfChange(e.data);
      const expected = changeConf(this.smConf, cc) ?? this.smConf;
      const cs = raw.applyConfChange(cc);
      if (!sameConf(cs, expected)) fail(`n${this.id}: core membership ${JSON.stringify(cs)} after ${cc.type} ${cc.nodeId}, expected ${JSON.stringify(expected)}`);
      this.smConf = cs;
      this.storage.setConfState(cs);
      this.confHistory.push({ index: e.index, conf: cs });
      if (ctx.verbose) ctx.log(`n${this.id} applied ${cc.type} ${cc.nodeId} at ${e.index} -> voters ${cs.voters} learners ${cs.learners}`);
    }
    const key = entryKey(e);
    this.smHash = mix(mix(this.smHash, e.index), key);
    this.smApplied = e.index;
    this.smHashAt.set(e.index, this.smHash);
    ctx.checker.onApply(this.id, e.index, this.mirror.chainAt(e.index), this.smHash, key);
    ctx.onApplied(this, e);
  }

  private confAt(index: number): ConfState {
    let conf = this.confHistory[0]!.conf;
    for (const h of this.confHistory) if (h.index <= index) conf = h.conf;
    return conf;
  }

  private maybeCompact(ctx: SimContext): void {
    const first = this.storage.firstIndex();
    if (this.smApplied - first + 1 <= this.params.compactEvery) return;
    const index = this.smApplied - ctx.rng.int(this.params.compactKeep + 1);
    if (index < first) return;
    this.storage.compact(index, this.confAt(index));
    this.mirror.compact(index);
    this.snapSmHash = this.smHashAt.get(index)!;
    for (const k of this.smHashAt.keys()) if (k < index) this.smHashAt.delete(k);
    const keep = this.confHistory.filter((h) => h.index > index);
    this.confHistory = [{ index, conf: this.confAt(index) }, ...keep];
    if (ctx.verbose) ctx.log(`n${this.id} compacted to ${index}`);
  }

  private logReady(ctx: SimContext, rd: Ready): void {
    const parts: string[] = [];
    if (rd.softState) parts.push(`soft=${rd.softState.role}/${rd.softState.leader}`);
    if (rd.hardState) parts.push(`hard=t${rd.hardState.term}/v${rd.hardState.vote}/c${rd.hardState.commit}`);
    if (rd.snapshot) parts.push(`snap=${rd.snapshot.index}/${rd.snapshot.term}`);
    if (rd.entries.length) parts.push(`ents=${rd.entries[0]!.index}..${rd.entries[rd.entries.length - 1]!.index}`);
    if (rd.committedEntries.length) parts.push(`apply=${rd.committedEntries[0]!.index}..${rd.committedEntries[rd.committedEntries.length - 1]!.index}`);
    for (const m of rd.messages) parts.push(describe(m));
    if (rd.readStates.length) parts.push(`reads=${rd.readStates.map((r) => r.index).join(",")}`);
    ctx.log(`n${this.id} ready ${parts.join(" ")}`);
  }
}

export function describe(m: Message): string {
  let s = `${m.type}(${m.from}>${m.to} t${m.term}`;
  if (m.type === "app") s += ` prev=${m.index}/${m.logTerm} n=${m.entries.length} c=${m.commit}`;
  else if (m.type === "appResp") s += m.reject ? ` rej=${m.index} hint=${m.rejectHint}/${m.logTerm}` : ` idx=${m.index}`;
  else if (m.type === "vote" || m.type === "preVote") s += ` last=${m.index}/${m.logTerm}${m.transfer ? " transfer" : ""}`;
  else if (m.type === "voteResp" || m.type === "preVoteResp") s += m.reject ? " rej" : " ok";
  else if (m.type === "heartbeat") s += ` c=${m.commit}`;
  else if (m.type === "snap") s += ` snap=${m.snapshot!.index}/${m.snapshot!.term}`;
  else if (m.type === "readIndexResp") s += ` idx=${m.index}`;
  return s + ")";
}

function sameConf(a: ConfState, b: ConfState): boolean {
  const eq = (x: number[], y: number[]) => x.length === y.length && [...x].sort().every((v, i) => v === [...y].sort()[i]);
  return eq(a.voters, b.voters) && eq(a.learners, b.learners);
}
