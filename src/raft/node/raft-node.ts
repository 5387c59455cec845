// The Raft driver: owns the core, the timers, the SQLite log and the network. One loop turns each
// Ready into one SQLite transaction (append + hard state + apply, one fsync), then sends messages,
// settles proposals and reads, and advances. Every proposal that arrives while a Ready is being
// written joins the next one: group commit without a fixed delay.
import type { Database } from "bun:sqlite";
import { DomainError, unavailable, invalid } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { RawNode } from "../core/raw-node.ts";
import { decodeConfChange } from "../core/conf-change.ts";
import { NotLeaderError, ProposalDroppedError } from "../core/errors.ts";
import { NONE, type ConfChange, type ConfState, type Entry, type Message, type NodeId, type ReadState, type SnapshotMeta, type SoftState } from "../core/types.ts";
import type { Status } from "../core/raft.ts";
import { encodeCommand, type ApplyOutcome, type StateMachine } from "../state-machine.ts";
import type { Proposer } from "../proposer.ts";
import { PendingProposals } from "./pending-proposals.ts";
import { AppliedWaiters } from "./waiters.ts";
import { SqliteRaftLog } from "./sqlite-raft-log.ts";
import { clearSnapshotDir, copyReplicatedTables, newSnapshotPath, readSnapshotPosition, withAttachedSnapshot, writeSnapshot } from "./snapshot-files.ts";
import type { ForwardOutcome, MembershipOutcome, MembershipRequest, RaftInbound, RaftTransport } from "./transport.ts";
import { rmSync } from "node:fs";

export interface RaftNodeOptions {
  id: NodeId;
  /** Where other members reach this node (RNACOS_RAFT_NODE_ADDR). */
  addr: string;
  dataDir: string;
  db: Database;
  stateMachine: StateMachine;
  transport: RaftTransport;
  log: Logger;
  /** Found a one-member cluster when the data dir is empty (RNACOS_RAFT_AUTO_INIT). */
  autoInit: boolean;
  /** Join through this member when the data dir is empty (RNACOS_RAFT_JOIN_ADDR); "" for none. */
  joinAddr: string;
  /** Log entries kept between compactions (RNACOS_RAFT_SNAPSHOT_LOG_SIZE). */
  snapshotLogSize: number;
  tickMs?: number;
  electionTicks?: number;
  /** How long a write may wait for its commit before it fails as unavailable. */
  proposalTimeoutMs?: number;
  random?: () => number;
}

const CLUSTER_MEMBER_TABLE = "cluster_member";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface RaftMetrics {
  id: NodeId;
  addr: string;
  role: string;
  term: number;
  leader: NodeId;
  commitIndex: number;
  appliedIndex: number;
  lastLogIndex: number;
  firstLogIndex: number;
  voters: NodeId[];
  learners: NodeId[];
  members: { id: NodeId; addr: string; role: "voter" | "learner"; match?: number }[];
  pendingProposals: number;
}

export class RaftNode implements Proposer, RaftInbound {
  private readonly opts: Required<Omit<RaftNodeOptions, "random">> & { random?: () => number };
  private readonly log: Logger;
  private readonly db: Database;
  private readonly sm: StateMachine;
  private readonly transport: RaftTransport;
  private readonly raftLog: SqliteRaftLog;
  private core!: RawNode;
  private readonly proposals = new PendingProposals();
  private readonly waiters: AppliedWaiters;
  private readonly reads = new Map<string, { resolve(index: number): void; reject(err: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private readonly leaderWaiters: (() => void)[] = [];
  private readonly receivedSnapshots = new Map<number, string>();
  private readonly sendingSnapshots = new Set<NodeId>();
  private peers = new Map<NodeId, string>();
  private soft: SoftState = { leader: NONE, role: "follower" };
  private scheduled = false;
  private stopped = false;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private tickCount = 0;
  private readSeq = 0;
  private startupCommit = 0;
  private readyListeners: (() => void)[] = [];
  private isReady = false;
  private fullSync = true;
  /** Transactions that wrote Raft state (one per Ready with something to persist); for tests and metrics. */
  persistCount = 0;

  constructor(options: RaftNodeOptions) {
    this.opts = { tickMs: 50, electionTicks: 10, proposalTimeoutMs: 10_000, ...options };
    this.log = options.log;
    this.db = options.db;
    this.sm = options.stateMachine;
    this.transport = options.transport;
    this.sm.registerTables(CLUSTER_MEMBER_TABLE);
    this.raftLog = new SqliteRaftLog(this.db);
    this.waiters = new AppliedWaiters(() => this.sm.applied.index);
  }

  // ---------------------------------------------------------------- lifecycle

  start(): void {
    clearSnapshotDir(this.opts.dataDir);
    if (this.raftLog.isEmpty) {
      if (this.opts.joinAddr) {
        this.log.info("empty data dir: joining the cluster", { via: this.opts.joinAddr });
      } else if (this.opts.autoInit) {
        this.bootstrap();
      } else {
        this.log.warn("empty data dir and no RNACOS_RAFT_JOIN_ADDR: waiting for a leader to add this node (rnacos cluster join on this node, or RNACOS_RAFT_AUTO_INIT=true to found a cluster)");
      }
    }
    this.raftLog.setApplied(this.sm.applied);
    this.core = new RawNode({
      id: this.opts.id,
      storage: this.raftLog,
      applied: this.sm.applied.index,
      electionTick: this.opts.electionTicks,
      heartbeatTick: 1,
      random: this.opts.random,
      logger: this.log,
    });
    this.startupCommit = this.raftLog.hardStateNow().commit;
    this.reloadPeers();
    this.transport.bind(this);
    const conf = this.raftLog.confNow();
    if (conf.voters.length === 1 && conf.voters[0] === this.opts.id) this.core.campaign();
    this.ticker = setInterval(() => this.tick(), this.opts.tickMs);
    this.schedule();
    if (this.raftLog.isEmpty && this.opts.joinAddr) void this.joinThroughSeed();
    this.checkReady();
  }

  /**
   * Before a planned stop: a leader hands leadership to its most caught-up voter so writes move on
   * without waiting for an election timeout. Resolves when someone else leads, or after timeoutMs.
   */
  async handOffLeadership(timeoutMs: number): Promise<void> {
    if (!this.isLeader) return;
    const status = this.core.status();
    const candidates = status.conf.voters.filter((v) => v !== this.opts.id);
    if (candidates.length === 0 || !status.progress) return;
    const target = candidates.reduce((best, v) => ((status.progress!.get(v)?.match ?? 0) > (status.progress!.get(best)?.match ?? 0) ? v : best));
    this.log.info("handing leadership over before stopping", { to: target });
    this.core.transferLeader(target);
    this.schedule();
    const deadline = Date.now() + timeoutMs;
    while (this.isLeader && Date.now() < deadline) await Bun.sleep(10);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    const err = unavailable("this node is shutting down");
    this.proposals.rejectAll(err);
    this.waiters.rejectAll(err);
    for (const r of this.reads.values()) {
      clearTimeout(r.timer);
      r.reject(err);
    }
    this.reads.clear();
    this.transport.close();
  }

  /** True once this node is a member and has applied what it had committed before it started. */
  get ready(): boolean {
    return this.isReady;
  }

  onReady(listener: () => void): void {
    if (this.isReady) listener();
    else this.readyListeners.push(listener);
  }

  get leader(): NodeId {
    return this.soft.leader;
  }

  get isLeader(): boolean {
    return this.soft.role === "leader";
  }

  private bootstrap(): void {
    const conf: ConfState = { voters: [this.opts.id], learners: [] };
    this.db.transaction(() => {
      this.raftLog.bootstrap(conf);
      this.db.run("INSERT OR REPLACE INTO cluster_member (node_id, addr) VALUES (?, ?)", [this.opts.id, this.opts.addr]);
      this.db.run("UPDATE sm_applied SET applied_index = 1, applied_term = 1 WHERE id = 1");
    }).immediate();
    this.sm.restored();
    this.log.info("founded a one-member cluster", { nodeId: this.opts.id, addr: this.opts.addr });
  }

  /** Joins an existing cluster through one of its members; only a node without Raft state may. */
  async joinCluster(seed: string): Promise<void> {
    if (!this.raftLog.isEmpty) {
      const conf = this.raftLog.confNow();
      throw invalid(
        `this node already belongs to a cluster (voters ${conf.voters.join(",") || "none"}); to move it, start it with an empty data dir and RNACOS_RAFT_JOIN_ADDR=${seed}`,
      );
    }
    const outcome = await this.transport
      .membership(seed, { action: "join", nodeId: this.opts.id, addr: this.opts.addr }, 10_000)
      .catch((err: Error) => ({ ok: false as const, message: `cannot reach ${seed}: ${err.message}`, leader: NONE }));
    if (!outcome.ok) throw unavailable(`join refused: ${outcome.message}`);
    this.log.info("added to the cluster as a learner; catching up", { via: seed });
  }

  private async joinThroughSeed(): Promise<void> {
    let delay = 200;
    for (let attempt = 1; !this.stopped; attempt++) {
      const outcome = await this.transport
        .membership(this.opts.joinAddr, { action: "join", nodeId: this.opts.id, addr: this.opts.addr }, 10_000)
        .catch((err: Error) => ({ ok: false as const, message: err.message, leader: NONE }));
      if (outcome.ok) {
        this.log.info("added to the cluster as a learner; catching up", { via: this.opts.joinAddr });
        return;
      }
      this.log.warn("join request failed; retrying", { via: this.opts.joinAddr, attempt, error: outcome.message, retryMs: delay });
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }

  private checkReady(): void {
    if (this.isReady) return;
    const conf = this.raftLog.confNow();
    const member = conf.voters.includes(this.opts.id) || conf.learners.includes(this.opts.id);
    if (!member || this.sm.applied.index < this.startupCommit) return;
    this.isReady = true;
    for (const l of this.readyListeners.splice(0)) l();
  }

  // ---------------------------------------------------------------- the loop

  private tick(): void {
    this.core.tick();
    this.tickCount++;
    if (this.tickCount % 10 === 0 && this.isLeader) this.promoteCaughtUpLearners();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.processReady());
  }

  private processReady(): void {
    this.scheduled = false;
    if (this.stopped || !this.core.hasReady()) return;
    const rd = this.core.ready();
    if (rd.softState) this.onSoftState(rd.softState);

    const outgoing: Message[] = [];
    for (const m of rd.messages) {
      if (m.type === "snap") this.startSnapshotSend(m);
      else outgoing.push(m);
    }
    if (rd.snapshot) this.installSnapshot(rd.snapshot);

    const committed = rd.committedEntries;
    const conf = committed.filter((e) => e.type === "confChange" && e.index > this.sm.applied.index);
    const durable = rd.mustSync;
    let outcomes = new Map<number, ApplyOutcome>();
    if (rd.entries.length > 0 || rd.hardState || committed.length > 0) {
      this.setSync(durable);
      this.persistCount++;
      try {
        outcomes = this.sm.applyBatch(
          committed.map((e) => ({ index: e.index, term: e.term, data: e.type === "normal" ? e.data : null })),
          () => {
            this.raftLog.append(rd.entries);
            if (rd.hardState) this.raftLog.setHardState(rd.hardState);
            for (const e of conf) this.applyConfEntry(e);
          },
        );
      } catch (err) {
        // The disk refused a write: the core's view and the disk now disagree. Stop rather than lie.
        this.log.error("cannot persist Raft state; stopping the process", { error: err });
        process.exit(1);
      }
      this.raftLog.setApplied(this.sm.applied);
      for (const e of conf) outcomes.set(e.index, { ok: true, value: null });
      for (const e of committed) this.proposals.settle(e.index, e.term, outcomes.get(e.index));
      if (conf.length > 0) this.reloadPeers();
      this.waiters.advance();
    }

    if (outgoing.length > 0) {
      for (const id of this.transport.send(outgoing)) this.core.reportUnreachable(id);
    }
    for (const rs of rd.readStates) this.settleRead(rs);
    this.core.advance();
    this.maybeCompact();
    this.checkReady();
    if (this.core.hasReady()) this.schedule();
  }

  /** Entries and votes need an fsync before anyone hears of them; commit index and applies do not. */
  private setSync(full: boolean): void {
    if (full === this.fullSync) return;
    this.db.run(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    this.fullSync = full;
  }

  private onSoftState(s: SoftState): void {
    const before = this.soft;
    this.soft = s;
    if (s.role !== before.role || s.leader !== before.leader) {
      // The core itself logs "became leader"; followers' view of the leader is logged here.
      const term = this.core.status().term;
      if (s.role !== "leader" && s.leader !== NONE && s.leader !== before.leader) this.log.info("following leader", { leader: s.leader, term });
      else if (s.leader === NONE && before.leader !== NONE) this.log.info("lost the leader; electing", { term });
    }
    if (s.leader !== NONE) for (const w of this.leaderWaiters.splice(0)) w();
  }

  private applyConfEntry(e: Entry): void {
    const cc = decodeConfChange(e.data);
    const conf = this.core.applyConfChange(cc);
    this.raftLog.setConf(conf);
    if (cc.type === "removeNode") {
      this.db.run("DELETE FROM cluster_member WHERE node_id = ?", [cc.nodeId]);
    } else if (cc.context && cc.context.length > 0) {
      this.db.run("INSERT OR REPLACE INTO cluster_member (node_id, addr) VALUES (?, ?)", [cc.nodeId, decoder.decode(cc.context)]);
    }
    this.log.info("membership changed", { change: cc.type, nodeId: cc.nodeId, voters: conf.voters.join(","), learners: conf.learners.join(",") });
    if (cc.type === "removeNode" && cc.nodeId === this.opts.id) this.log.warn("this node was removed from the cluster");
  }

  private reloadPeers(): void {
    const rows = this.db.query("SELECT node_id AS id, addr FROM cluster_member").all() as { id: number; addr: string }[];
    this.peers = new Map(rows.map((r) => [r.id, r.addr]));
    this.transport.setPeers(this.peers);
  }

  // ---------------------------------------------------------------- snapshots and compaction

  private startSnapshotSend(m: Message): void {
    const to = m.to;
    if (this.sendingSnapshots.has(to) || !m.snapshot) {
      this.core.reportSnapshot(to, false);
      return;
    }
    const file = newSnapshotPath(this.opts.dataDir, `send-${to}`);
    try {
      writeSnapshot(this.db, file);
      const pos = readSnapshotPosition(file);
      if (pos.index !== m.snapshot.index) throw new Error(`snapshot file is at ${pos.index}, message says ${m.snapshot.index}`);
    } catch (err) {
      rmSync(file, { force: true });
      this.log.error("cannot write a snapshot", { to, error: err });
      this.core.reportSnapshot(to, false);
      return;
    }
    this.sendingSnapshots.add(to);
    const started = performance.now();
    this.log.info("sending snapshot", { to, index: m.snapshot.index });
    this.transport
      .sendSnapshot(m, file)
      .then(
        () => {
          this.log.info("snapshot sent", { to, index: m.snapshot!.index, ms: Math.round(performance.now() - started) });
          this.core.reportSnapshot(to, true);
        },
        (err: Error) => {
          this.log.warn("snapshot send failed", { to, error: err.message });
          this.core.reportSnapshot(to, false);
        },
      )
      .finally(() => {
        this.sendingSnapshots.delete(to);
        rmSync(file, { force: true });
        this.schedule();
      });
  }

  private installSnapshot(meta: SnapshotMeta): void {
    const file = this.receivedSnapshots.get(meta.index);
    if (!file) throw new Error(`no snapshot file received for index ${meta.index}`);
    this.receivedSnapshots.delete(meta.index);
    const started = performance.now();
    try {
      withAttachedSnapshot(this.db, file, () =>
        this.db.transaction(() => {
          copyReplicatedTables(this.db, this.sm.replicatedTables());
          this.raftLog.applySnapshot(meta);
        }).immediate(),
      );
    } catch (err) {
      this.log.error("cannot install the snapshot; stopping the process", { error: err });
      process.exit(1);
    } finally {
      rmSync(file, { force: true });
    }
    this.sm.restored();
    this.raftLog.setApplied(this.sm.applied);
    this.reloadPeers();
    this.waiters.advance();
    this.log.info("installed snapshot", { index: meta.index, term: meta.term, ms: Math.round(performance.now() - started) });
  }

  private maybeCompact(): void {
    const applied = this.sm.applied.index;
    const first = this.raftLog.firstIndex();
    const size = this.opts.snapshotLogSize;
    const keep = Math.floor(size / 10);
    if (applied - first + 1 < size + keep) return;
    // The membership at the compaction point must be known: it is the current one only when no
    // membership change lies between that point and the applied index.
    let target = applied - keep;
    const retained = this.raftLog.entries(first, applied + 1);
    for (const e of retained) if (e.type === "confChange" && e.index > target) target = e.index;
    const dropped = (() => {
      let n = 0;
      this.db.transaction(() => {
        n = this.raftLog.compact(target, this.raftLog.confNow());
      }).immediate();
      return n;
    })();
    this.log.debug("compacted the Raft log", { upTo: target, dropped });
  }

  // ---------------------------------------------------------------- inbound from peers

  receive(messages: Message[]): void {
    if (this.stopped) return;
    for (const m of messages) {
      try {
        this.core.step(m);
      } catch (err) {
        // The core throws only when an invariant broke (e.g. a commit past the end of the log):
        // the durable state can no longer be trusted to be consistent with the cluster.
        this.log.error("Raft invariant violated; stopping the process", { type: m.type, from: m.from, error: (err as Error).message });
        process.exit(1);
      }
    }
    this.schedule();
  }

  receiveSnapshot(message: Message, file: string): void {
    if (this.stopped || !message.snapshot) {
      rmSync(file, { force: true });
      return;
    }
    const pos = readSnapshotPosition(file);
    if (pos.index !== message.snapshot.index) {
      this.log.warn("received a snapshot whose content does not match its index; dropped", { from: message.from });
      rmSync(file, { force: true });
      return;
    }
    const previous = this.receivedSnapshots.get(pos.index);
    if (previous) rmSync(previous, { force: true });
    this.receivedSnapshots.set(pos.index, file);
    this.receive([message]);
  }

  async forwarded(command: Uint8Array): Promise<ForwardOutcome> {
    if (!this.isLeader) return { ok: false, index: 0, kind: "not_leader", message: "not the leader", code: 503, leader: this.leader };
    try {
      const { index, value } = await this.proposeLocal(command);
      return { ok: true, index, value };
    } catch (err) {
      if (err instanceof NotLeaderError) return { ok: false, index: 0, kind: "not_leader", message: err.message, code: 503, leader: err.leader };
      const e = err instanceof DomainError ? err : new DomainError("internal", (err as Error).message);
      return { ok: false, index: 0, kind: e.kind, message: e.message, code: e.nacosCode, leader: this.leader };
    }
  }

  async membership(req: MembershipRequest): Promise<MembershipOutcome> {
    if (!this.isLeader) {
      const leader = await this.leaderWithin(3000);
      if (leader === NONE) return { ok: false, message: "no leader elected; retry", leader: NONE };
      if (leader !== this.opts.id) return this.transport.membership(leader, req, 10_000);
    }
    try {
      await this.changeMembershipAsLeader(req);
      return { ok: true };
    } catch (err) {
      return { ok: false, message: (err as Error).message, leader: this.leader };
    }
  }

  // ---------------------------------------------------------------- Proposer

  async propose<R>(type: string, payload: unknown): Promise<R> {
    const data = encodeCommand({ type, payload });
    const deadline = Date.now() + this.opts.proposalTimeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw unavailable("no leader accepted the write in time; the cluster may have lost its quorum");
      if (this.isLeader) {
        try {
          return (await this.proposeLocal(data)).value as R;
        } catch (err) {
          if (err instanceof NotLeaderError) continue;
          throw err;
        }
      }
      const leader = await this.leaderWithin(remaining);
      if (leader === NONE) continue;
      if (leader === this.opts.id) continue;
      let outcome: ForwardOutcome;
      try {
        outcome = await this.transport.forward(leader, data, remaining);
      } catch (err) {
        throw unavailable(`forwarding the write to leader ${leader} failed (${(err as Error).message}); it may or may not have been applied`);
      }
      if (outcome.ok) {
        await this.waiters.wait(outcome.index, Math.max(1, deadline - Date.now()), "write applied on the leader");
        return outcome.value as R;
      }
      if (outcome.kind === "not_leader") {
        await Bun.sleep(Math.min(50, Math.max(1, deadline - Date.now())));
        continue;
      }
      throw new DomainError(outcome.kind as DomainError["kind"], outcome.message, outcome.code);
    }
  }

  private proposeLocal(data: Uint8Array): Promise<{ index: number; value: unknown }> {
    let placed: { index: number; term: number };
    try {
      placed = this.core.propose(data);
    } catch (err) {
      if (err instanceof ProposalDroppedError) return Promise.reject(unavailable(err.message));
      return Promise.reject(err);
    }
    this.schedule();
    return this.proposals.add(placed.index, placed.term, this.opts.proposalTimeoutMs);
  }

  async readBarrier(): Promise<void> {
    const ctx = encoder.encode(`${this.opts.id}:${++this.readSeq}`);
    const key = decoder.decode(ctx);
    const index = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.reads.delete(key);
        reject(unavailable("linearizable read not confirmed in time (no leader or no quorum)"));
      }, this.opts.proposalTimeoutMs);
      this.reads.set(key, { resolve, reject, timer });
      try {
        this.core.readIndex(ctx);
      } catch (err) {
        clearTimeout(timer);
        this.reads.delete(key);
        reject(err instanceof NotLeaderError ? unavailable("no leader known for a linearizable read; retry") : err);
        return;
      }
      this.schedule();
    });
    await this.waiters.wait(index, this.opts.proposalTimeoutMs, "linearizable read");
  }

  private settleRead(rs: ReadState): void {
    const key = decoder.decode(rs.ctx);
    const r = this.reads.get(key);
    if (!r) return;
    this.reads.delete(key);
    clearTimeout(r.timer);
    r.resolve(rs.index);
  }

  private leaderWithin(ms: number): Promise<NodeId> {
    if (this.soft.leader !== NONE) return Promise.resolve(this.soft.leader);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(this.soft.leader);
      };
      const timer = setTimeout(() => {
        const i = this.leaderWaiters.indexOf(done);
        if (i >= 0) this.leaderWaiters.splice(i, 1);
        resolve(this.soft.leader);
      }, Math.max(1, ms));
      this.leaderWaiters.push(done);
    });
  }

  // ---------------------------------------------------------------- membership

  /** Asks the leader (wherever it is) for a membership change; resolves once it is applied there. */
  async changeMembership(req: MembershipRequest): Promise<void> {
    const outcome = await this.membership(req);
    if (!outcome.ok) throw unavailable(outcome.message);
  }

  private async changeMembershipAsLeader(req: MembershipRequest): Promise<void> {
    if (req.action === "transferLeader") {
      const conf = this.raftLog.confNow();
      if (!conf.voters.includes(req.nodeId)) throw invalid(`node ${req.nodeId} is not a voter`);
      this.core.transferLeader(req.nodeId);
      this.schedule();
      return;
    }
    const conf = this.raftLog.confNow();
    let cc: ConfChange;
    if (req.action === "join") {
      if (!req.addr) throw invalid("join needs the node's address");
      if (conf.voters.includes(req.nodeId) || conf.learners.includes(req.nodeId)) return;
      cc = { type: "addLearner", nodeId: req.nodeId, context: encoder.encode(req.addr) };
    } else if (req.action === "promote") {
      if (conf.voters.includes(req.nodeId)) return;
      if (!conf.learners.includes(req.nodeId)) throw invalid(`node ${req.nodeId} is not a learner`);
      cc = { type: "addVoter", nodeId: req.nodeId };
    } else {
      if (!conf.voters.includes(req.nodeId) && !conf.learners.includes(req.nodeId)) throw invalid(`node ${req.nodeId} is not a member`);
      if (conf.voters.length === 1 && conf.voters[0] === req.nodeId) throw invalid("cannot remove the last voter");
      cc = { type: "removeNode", nodeId: req.nodeId };
    }
    let placed: { index: number; term: number };
    try {
      placed = this.core.proposeConfChange(cc);
    } catch (err) {
      if (err instanceof ProposalDroppedError) throw unavailable(`membership change refused: ${err.message}`);
      throw err;
    }
    this.schedule();
    await this.proposals.add(placed.index, placed.term, this.opts.proposalTimeoutMs);
  }

  /** A learner that holds at least our snapshot point and is within a few entries of the commit index. */
  private promoteCaughtUpLearners(): void {
    const status = this.core.status();
    if (!status.progress) return;
    for (const learner of status.conf.learners) {
      const p = status.progress.get(learner);
      if (!p || p.match < status.firstIndex - 1 || p.match === 0 || status.commit - p.match > 100) continue;
      this.log.info("learner caught up; promoting to voter", { nodeId: learner, match: p.match, commit: status.commit });
      void this.changeMembershipAsLeader({ action: "promote", nodeId: learner }).catch((err: Error) =>
        this.log.debug("promotion deferred", { nodeId: learner, reason: err.message }),
      );
      return; // one change at a time
    }
  }

  // ---------------------------------------------------------------- metrics

  status(): Status {
    return this.core.status();
  }

  metrics(): RaftMetrics {
    const s = this.core.status();
    const conf = this.raftLog.confNow();
    const members = [
      ...conf.voters.map((id) => ({ id, role: "voter" as const })),
      ...conf.learners.map((id) => ({ id, role: "learner" as const })),
    ].map((m) => ({ ...m, addr: this.peers.get(m.id) ?? "", ...(s.progress?.get(m.id) ? { match: s.progress.get(m.id)!.match } : {}) }));
    return {
      id: this.opts.id,
      addr: this.opts.addr,
      role: s.role,
      term: s.term,
      leader: s.leader,
      commitIndex: s.commit,
      appliedIndex: this.sm.applied.index,
      lastLogIndex: this.raftLog.lastIndex(),
      firstLogIndex: this.raftLog.firstIndex(),
      voters: conf.voters,
      learners: conf.learners,
      members,
      pendingProposals: this.proposals.size,
    };
  }
}
