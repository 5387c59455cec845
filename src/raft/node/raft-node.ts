// The Raft driver: owns the core, the timers, the SQLite log and the network. One loop turns each
// Ready into one transaction of the log (append + hard state, one fsync), applies what is committed
// (in the state machine's open transaction), then sends messages, settles proposals and reads, and
// advances. Every proposal that arrives while a Ready is being written joins the next one: group
// commit without a fixed delay.
import type { Database, Statement } from "bun:sqlite";
import { DomainError, unavailable, invalid } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { RawNode, type Ready } from "../core/raw-node.ts";
import { NotLeaderError, ProposalDroppedError } from "../core/errors.ts";
import { NONE, type ConfState, type Entry, type Message, type NodeId, type SoftState } from "../core/types.ts";
import type { Status } from "../core/raft.ts";
import { encodeCommand, type ApplyOutcome, type StateMachine } from "../state-machine.ts";
import type { Proposer } from "../proposer.ts";
import { PendingProposals } from "./pending-proposals.ts";
import { AppliedWaiters } from "./waiters.ts";
import { SqliteRaftLog } from "./sqlite-raft-log.ts";
import { clearSnapshotDir } from "./snapshot-files.ts";
import { SnapshotTransfer } from "./snapshot-transfer.ts";
import { Membership } from "./membership.ts";
import { LinearizableReads } from "./linearizable-reads.ts";
import type { ForwardOutcome, MembershipOutcome, MembershipRequest, RaftInbound, RaftTransport } from "./transport.ts";
import { rmSync } from "node:fs";

export interface RaftNodeOptions {
  id: NodeId;
  /** The Raft log's WAL: makes committed log transactions durable, and hears how much was written. */
  wal: { syncWal(): Promise<void>; wrote(writes: number): void };
  /** Where other members reach this node (RNACOS_RAFT_NODE_ADDR). */
  addr: string;
  dataDir: string;
  /** The state (rnacos.db): the state machine's database. */
  db: Database;
  /** The Raft log and hard state (raft.db). */
  raftDb: Database;
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
/** Readies with at most this many new entries fsync inline (see processReady). */
const INLINE_SYNC_MAX_ENTRIES = 1;

/** What applying a Ready's committed entries produced, for finishReady to hand out. */
interface Applied {
  committed: Entry[];
  outcomes: Map<number, ApplyOutcome>;
  membershipChanged: boolean;
}

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
  /** Log writes (transactions) since start: with the log index, shows how well writes are grouped. */
  logWrites: number;
}

export class RaftNode implements Proposer, RaftInbound {
  private readonly opts: Required<Omit<RaftNodeOptions, "random">> & { random?: () => number };
  private readonly log: Logger;
  private readonly db: Database;
  private readonly raftDb: Database;
  private readonly sm: StateMachine;
  private readonly transport: RaftTransport;
  private readonly raftLog: SqliteRaftLog;
  private core!: RawNode;
  private readonly proposals = new PendingProposals();
  private readonly waiters: AppliedWaiters;
  private readonly reads: LinearizableReads;
  private readonly snapshots: SnapshotTransfer;
  private readonly members: Membership;
  private readonly leaderWaiters: (() => void)[] = [];
  private soft: SoftState = { leader: NONE, role: "follower" };
  private scheduled = false;
  private stopped = false;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private tickCount = 0;
  private startupCommit = 0;
  private readyListeners: (() => void)[] = [];
  private isReady = false;
  /** A Ready's fsync is in flight: the next ready() waits for its advance(). */
  private writing = false;
  private synchronous: "FULL" | "NORMAL" = "FULL";
  private readonly syncFull: Statement;
  private readonly syncNormal: Statement;
  /** Transactions that wrote Raft state (one per Ready with something to persist); for tests and metrics. */
  persistCount = 0;

  constructor(options: RaftNodeOptions) {
    this.opts = { tickMs: 50, electionTicks: 10, proposalTimeoutMs: 10_000, ...options };
    this.log = options.log;
    this.db = options.db;
    this.raftDb = options.raftDb;
    this.syncFull = this.raftDb.prepare("PRAGMA synchronous = FULL");
    this.syncNormal = this.raftDb.prepare("PRAGMA synchronous = NORMAL");
    this.sm = options.stateMachine;
    this.transport = options.transport;
    this.sm.registerTables(CLUSTER_MEMBER_TABLE);
    this.sm.onFlushFailure((err) => this.fatalOnFailure("cannot commit the applied state", () => {
      throw err;
    }));
    this.raftLog = new SqliteRaftLog(this.raftDb, this.db);
    this.waiters = new AppliedWaiters(() => this.sm.applied.index);
    const core = () => this.core;
    const schedule = () => this.schedule();
    this.reads = new LinearizableReads(options.id, core, this.waiters, schedule, this.opts.proposalTimeoutMs);
    this.snapshots = new SnapshotTransfer({
      dataDir: options.dataDir,
      db: this.db,
      raftDb: this.raftDb,
      stateMachine: this.sm,
      raftLog: this.raftLog,
      transport: this.transport,
      log: this.log,
      report: (to, ok) => {
        this.core.reportSnapshot(to, ok);
        this.schedule();
      },
    });
    this.members = new Membership({
      selfId: options.id,
      db: this.db,
      raftLog: this.raftLog,
      transport: this.transport,
      proposals: this.proposals,
      log: this.log,
      core,
      schedule,
      proposalTimeoutMs: this.opts.proposalTimeoutMs,
    });
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
    this.members.reloadPeers();
    this.transport.bind(this);
    const conf = this.raftLog.confNow();
    const soleVoter = conf.voters.length === 1 && conf.voters[0] === this.opts.id;
    // Ready once what was applied before the stop is applied again. The state may trail the log by
    // what a crash took from its open transaction (acknowledged writes among it), and the stored
    // commit index is lazy; a sole voter's whole log is committed, so it waits for all of it.
    this.startupCommit = Math.max(this.raftLog.hardStateNow().commit, soleVoter ? this.raftLog.lastIndex() : 0);
    if (soleVoter) this.core.campaign();
    this.ticker = setInterval(() => this.tick(), this.opts.tickMs);
    this.schedule();
    if (this.raftLog.isEmpty && this.opts.joinAddr) void this.members.joinWithRetries(this.opts.joinAddr, this.opts.addr, () => this.stopped);
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
    this.reads.rejectAll(err);
    this.transport.close();
    this.sm.close();
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
    // The state first: a start cut short before the log is written finds the state ahead of the
    // log and completes the founding from it (SqliteRaftLog).
    this.sm.write(() => {
      this.raftLog.setConf(conf);
      this.db.run("INSERT OR REPLACE INTO cluster_member (node_id, addr) VALUES (?, ?)", [this.opts.id, this.opts.addr]);
      this.db.run("UPDATE sm_applied SET applied_index = 1, applied_term = 1 WHERE id = 1");
    });
    this.sm.flush(true);
    this.raftDb.transaction(() => this.raftLog.bootstrapCluster(conf)).immediate();
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
    await this.members.askToJoin(seed, this.opts.addr);
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
    if (this.tickCount % 10 === 0 && this.isLeader) this.members.promoteCaughtUpLearners();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.processReady());
  }

  /**
   * One Ready: write its entries and hard state, make them durable, apply what is committed, and only
   * then send, answer and advance (finishReady). A Ready of many entries (a loaded node) commits
   * without fsync and then fdatasyncs the WAL in the thread pool, so the loop keeps taking requests
   * (they form the next batch); a lone entry is synced inline, which is quicker when nobody else waits.
   */
  private processReady(): void {
    this.scheduled = false;
    if (this.stopped || this.writing || !this.core.hasReady()) return;
    const rd = this.core.ready();
    if (rd.softState) this.onSoftState(rd.softState);

    const outgoing: Message[] = [];
    const early: Message[] = [];
    const sendEarly = this.isLeader && !this.votesOrTermChange(rd);
    for (const m of rd.messages) {
      if (m.type === "snap") this.snapshots.send(m);
      else if (sendEarly && (m.type === "app" || m.type === "heartbeat")) early.push(m);
      else outgoing.push(m);
    }
    // A leader's appends go out before its own log write and fsync, so followers write theirs at the
    // same time (etcd does the same; Raft thesis §10.2.1): the leader counts its own copy when it
    // appends, but no commit that counted it is sent or applied before this Ready's fsync, because
    // no new Ready is taken while one is being synced. Not when the term or vote changes: those must
    // be durable before any message. Responses (appResp...) always wait: they vouch for our disk.
    if (early.length > 0) this.sendNow(early);
    const needsSync = rd.mustSync || rd.snapshot !== undefined;
    const inline = needsSync && rd.snapshot === undefined && rd.entries.length <= INLINE_SYNC_MAX_ENTRIES;
    const persist = rd.entries.length > 0 || rd.hardState !== undefined;
    const writeLog = () => {
      this.raftLog.append(rd.entries);
      if (rd.hardState) this.raftLog.setHardState(rd.hardState);
    };
    if (persist) {
      this.persistCount++;
      this.opts.wal.wrote(rd.entries.length + 1);
    }
    if (inline) {
      // A light load: the log write commits with its fsync (FULL), so a lone write waits for one
      // commit and one fsync, then applies.
      this.setSynchronous("FULL");
      this.fatalOnFailure("cannot persist Raft state", () => this.raftDb.transaction(writeLog).immediate());
      this.setSynchronous("NORMAL");
      this.finishReady(rd, outgoing, this.applyCommitted(rd.committedEntries));
      return;
    }
    this.setSynchronous("NORMAL");
    if (rd.snapshot) this.snapshots.install(rd.snapshot);
    if (persist) this.fatalOnFailure("cannot persist Raft state", () => this.raftDb.transaction(writeLog).immediate());
    // Committed entries that were durable before this Ready (a follower's, or a cluster leader's that a
    // quorum acknowledged) are applied while its fsync runs. Entries that this Ready makes durable are
    // applied only after it.
    // Their proposers are answered at once too: what they wait for is durable on a quorum and applied,
    // and this Ready's fsync is about other entries (measured ~0.7 ms off a write's latency).
    let applied: Applied | undefined;
    let answered = false;
    if (persist && rd.snapshot === undefined && this.durableBefore(rd)) {
      applied = this.applyCommitted(rd.committedEntries);
      if (applied && !applied.membershipChanged) {
        this.answer(applied);
        answered = true;
      }
    }
    const toAnswer = () => (answered ? undefined : (applied ?? this.applyCommitted(rd.committedEntries)));
    if (!needsSync) {
      this.finishReady(rd, outgoing, toAnswer());
      return;
    }
    // Under load: the batch committed without fsync above; the WAL is fdatasynced in the thread pool
    // while requests keep arriving, and only then is anything else sent, answered or (if new) applied.
    this.writing = true;
    this.opts.wal.syncWal().then(
      () => {
        this.writing = false;
        if (!this.stopped) this.finishReady(rd, outgoing, toAnswer());
      },
      (err: Error) => this.fatalOnFailure("cannot make the Raft log durable (fdatasync)", () => {
        throw err;
      }),
    );
  }

  /**
   * Whether every committed entry of this Ready was in the log before it, and so durable: a Ready is
   * only processed once the previous one's fsync completed (`writing`).
   */
  private durableBefore(rd: Ready): boolean {
    const committed = rd.committedEntries;
    if (committed.length === 0) return false;
    return rd.entries.length === 0 || committed[committed.length - 1]!.index < rd.entries[0]!.index;
  }

  /** FULL: the commit itself fsyncs the WAL; NORMAL: it does not (the caller syncs the WAL after). */
  private setSynchronous(mode: "FULL" | "NORMAL"): void {
    if (mode === this.synchronous) return;
    (mode === "FULL" ? this.syncFull : this.syncNormal).run();
    this.synchronous = mode;
  }

  /** Applies committed entries (membership changes first, in the same batch). */
  private applyCommitted(committed: Entry[]): Applied | undefined {
    if (committed.length === 0) return undefined;
    const conf = committed.filter((e) => e.type === "confChange" && e.index > this.sm.applied.index);
    let outcomes = new Map<number, ApplyOutcome>();
    this.fatalOnFailure("cannot apply committed entries", () => {
      outcomes = this.sm.applyBatch(
        committed.map((e) => ({ index: e.index, term: e.term, data: e.type === "normal" ? e.data : null })),
        conf.length > 0 ? () => conf.forEach((e) => this.members.applyEntry(e)) : undefined,
      );
      // A new membership is durable before anything is committed under it: a restart must not find
      // the old one and count a quorum the cluster no longer has.
      if (conf.length > 0) this.sm.flush(true);
    });
    this.raftLog.setApplied(this.sm.applied);
    for (const e of conf) outcomes.set(e.index, { ok: true, value: null });
    return { committed, outcomes, membershipChanged: conf.length > 0 };
  }

  /** After the Ready is durable and applied: tell peers, answer the proposers (unless answered already), advance. */
  private finishReady(rd: Ready, outgoing: Message[], applied: Applied | undefined): void {
    if (rd.snapshot) {
      this.members.reloadPeers();
      this.waiters.advance();
    }
    if (outgoing.length > 0) this.sendNow(outgoing);
    if (applied) this.answer(applied);
    for (const rs of rd.readStates) this.reads.settle(rs);
    this.core.advance();
    this.maybeCompact();
    this.checkReady();
    if (this.core.hasReady()) this.schedule();
  }

  /** Applied entries: settle their proposals, take up a membership change, wake who waits for the index. */
  private answer(applied: Applied): void {
    for (const e of applied.committed) this.proposals.settle(e.index, e.term, applied.outcomes.get(e.index));
    if (applied.membershipChanged) this.members.reloadPeers();
    this.waiters.advance();
  }

  private sendNow(messages: Message[]): void {
    for (const id of this.transport.send(messages)) this.core.reportUnreachable(id);
  }

  /** Whether the Ready changes the term or the vote (the hard state beyond the commit index). */
  private votesOrTermChange(rd: Ready): boolean {
    if (!rd.hardState) return false;
    const now = this.raftLog.hardStateNow();
    return rd.hardState.term !== now.term || rd.hardState.vote !== now.vote;
  }

  /** The disk refused a write: the core's view and the disk now disagree. Stop rather than lie. */
  private fatalOnFailure(what: string, write: () => void): void {
    try {
      write();
    } catch (err) {
      this.log.error(`${what}; stopping the process`, { error: err });
      process.exit(1);
    }
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

  // ---------------------------------------------------------------- snapshots and compaction

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
    // The log may forget entries only once the state that applied them is durable.
    let dropped = 0;
    this.fatalOnFailure("cannot compact the Raft log", () => {
      this.sm.flush(true);
      this.raftDb.transaction(() => {
        dropped = this.raftLog.compactTo(target, this.raftLog.confNow());
      }).immediate();
    });
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
    if (this.snapshots.accept(message, file)) this.receive([message]);
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
      await this.members.changeAsLeader(req);
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

  readBarrier(): Promise<void> {
    return this.reads.barrier();
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
    ].map((m) => ({ ...m, addr: this.members.peers.get(m.id) ?? "", ...(s.progress?.get(m.id) ? { match: s.progress.get(m.id)!.match } : {}) }));
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
      logWrites: this.persistCount,
    };
  }
}
