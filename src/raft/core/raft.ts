// The Raft state machine: terms, roles, elections (with pre-vote and check-quorum), replication,
// commit, membership, leadership transfer and ReadIndex. Pure: no clock, no I/O, no randomness of its
// own. Time is tick(), input is step(message), output accumulates in `msgs` and `readStates` and in the
// log, which RawNode turns into Ready batches. Each role has its own step function, so "what does a
// follower do with message X" lives in one place.

import type { Logger } from "../../log.ts";
import { changeConf, encodeConfChange } from "./conf-change.ts";
import { NotLeaderError, ProposalDroppedError } from "./errors.ts";
import { RaftLog } from "./log.ts";
import type { Progress } from "./progress.ts";
import { voteResult } from "./quorum.ts";
import { ReadOnly } from "./read-only.ts";
import type { ReadRequest } from "./read-only.ts";
import { Rng } from "./rng.ts";
import type { Storage } from "./storage.ts";
import { ProgressTracker } from "./tracker.ts";
import { EMPTY_BYTES, NONE, entrySize, isEmptyHardState, newMessage } from "./types.ts";
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
  ReadState,
  Role,
  SnapshotMeta,
  SoftState,
} from "./types.ts";

export interface Config {
  /** This node's id (> 0). */
  id: NodeId;
  /** The durable log and state; see Storage. */
  storage: Storage;
  /** Ticks without hearing from a leader before a follower campaigns (randomised in [n, 2n)). Default 10. */
  electionTick?: number;
  /** Ticks between leader heartbeats; must be < electionTick. Default 1. */
  heartbeatTick?: number;
  /** Last index the state machine has applied (restart). Entries above it are handed out again. */
  applied?: number;
  /** Upper bound on the entry bytes in one append message. Default 1 MiB. */
  maxSizePerMsg?: number;
  /** Append messages in flight to one follower in replicate state. Default 256. */
  maxInflightMsgs?: number;
  /** Optional byte bound on the same window (0 = none). */
  maxInflightBytes?: number;
  /** Upper bound on committed entry bytes handed out in one Ready. Default 16 MiB. */
  maxCommittedSizePerReady?: number;
  /** Backpressure: a leader refuses proposals while this many bytes (by entrySize) are uncommitted
   * (0 = no limit). A single proposal is always accepted when nothing is uncommitted. */
  maxUncommittedBytes?: number;
  /** Pre-vote (§9.6): do not disrupt a working cluster with a higher term. Default true. */
  preVote?: boolean;
  /** Check-quorum: a leader steps down when a majority is silent for an election timeout; followers
   * in contact with a leader ignore votes. Default true. */
  checkQuorum?: boolean;
  /** Source of randomness in [0, 1) for election jitter. Default: a PRNG seeded with the node id. */
  random?: () => number;
  logger?: Logger;
}

export type CampaignKind = "preElection" | "election" | "transfer";

export interface ProgressStatus {
  match: number;
  next: number;
  state: "probe" | "replicate" | "snapshot";
  isLearner: boolean;
  recentActive: boolean;
  paused: boolean;
  inflight: number;
  pendingSnapshot: number;
}

export interface Status {
  id: NodeId;
  term: number;
  vote: NodeId;
  role: Role;
  leader: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  firstIndex: number;
  leadTransferee: NodeId;
  conf: ConfState;
  /** Per member, on the leader only. */
  progress?: Map<NodeId, ProgressStatus>;
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = "follower";

  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  private readonly readOnly = new ReadOnly();

  /** Outgoing messages, taken by RawNode.ready(). */
  msgs: Message[] = [];
  /** Confirmed reads, taken by RawNode.ready(). */
  readStates: ReadState[] = [];

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly maxMsgSize: number;
  private readonly maxUncommittedBytes: number;
  /** Leader: bytes appended in this term and not yet handed out for applying. */
  private uncommittedBytes = 0;
  readonly maxCommittedSizePerReady: number;
  private readonly random: () => number;
  private readonly logger: Logger | undefined;

  /** Leadership transfer target while one is under way. */
  leadTransferee: NodeId = NONE;
  /** Index of the latest conf change the leader may have in its log; another waits until it is applied. */
  private pendingConfIndex = 0;
  /** Reads that arrived before this leader committed an entry of its own term. */
  private pendingReads: ReadRequest[] = [];
  /** New entries or commit to send: appends to followers are batched until the next Ready. */
  needBroadcast = false;

  constructor(c: Config) {
    if (!Number.isSafeInteger(c.id) || c.id <= 0) throw new Error(`invalid node id ${c.id}`);
    this.id = c.id;
    this.electionTimeout = c.electionTick ?? 10;
    this.heartbeatTimeout = c.heartbeatTick ?? 1;
    if (this.heartbeatTimeout <= 0) throw new Error("heartbeatTick must be > 0");
    if (this.electionTimeout <= this.heartbeatTimeout) throw new Error("electionTick must be > heartbeatTick");
    this.preVote = c.preVote ?? true;
    this.checkQuorum = c.checkQuorum ?? true;
    this.maxMsgSize = c.maxSizePerMsg ?? 1 << 20;
    this.maxUncommittedBytes = c.maxUncommittedBytes ?? 0;
    this.maxCommittedSizePerReady = c.maxCommittedSizePerReady ?? 16 << 20;
    this.random = c.random ?? new Rng(c.id).asFunction();
    this.logger = c.logger;

    const { hardState, confState } = c.storage.initialState();
    this.log = new RaftLog(c.storage, c.applied ?? 0);
    this.trk = new ProgressTracker(c.maxInflightMsgs ?? 256, c.maxInflightBytes ?? 0);
    this.trk.setConf(confState, this.log.lastIndex() + 1);
    if (!isEmptyHardState(hardState)) {
      this.term = hardState.term;
      this.vote = hardState.vote;
      this.log.commitTo(hardState.commit);
    }
    if (this.log.applied > this.log.committed) {
      throw new Error(`applied ${this.log.applied} is beyond the durable commit ${this.log.committed}`);
    }
    this.becomeFollower(this.term, NONE);
  }

  // ---- state accessors -------------------------------------------------------------------------

  softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  promotable(): boolean {
    return this.trk.isVoter(this.id);
  }

  status(): Status {
    const s: Status = {
      id: this.id,
      term: this.term,
      vote: this.vote,
      role: this.role,
      leader: this.lead,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      firstIndex: this.log.firstIndex(),
      leadTransferee: this.leadTransferee,
      conf: this.trk.confState(),
    };
    if (this.role === "leader") {
      s.progress = new Map();
      for (const [id, pr] of this.trk.progress) {
        s.progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          isLearner: pr.isLearner,
          recentActive: pr.recentActive,
          paused: pr.isPaused(),
          inflight: pr.inflights.count,
          pendingSnapshot: pr.pendingSnapshot,
        });
      }
    }
    return s;
  }

  // ---- role transitions ------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.random() * this.electionTimeout);
    this.leadTransferee = NONE;
    this.trk.resetVotes();
    this.trk.resetProgress(this.id, this.log.lastIndex());
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReads = [];
    this.needBroadcast = false;
    this.uncommittedBytes = 0;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = "follower";
    this.logger?.debug("became follower", { id: this.id, term, leader: lead });
  }

  /** Pre-candidates ask "would you vote for me?" without touching term or vote. */
  private becomePreCandidate(): void {
    if (this.role === "leader") throw new Error("leader cannot become pre-candidate");
    this.trk.resetVotes();
    this.lead = NONE;
    this.role = "preCandidate";
  }

  private becomeCandidate(): void {
    if (this.role === "leader") throw new Error("leader cannot become candidate");
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = "candidate";
    this.logger?.debug("became candidate", { id: this.id, term: this.term });
  }

  private becomeLeader(): void {
    if (this.role === "follower") throw new Error("follower cannot become leader without an election");
    // hup() only lets voters campaign and no committed conf change can apply mid-campaign.
    if (!this.trk.isVoter(this.id)) throw new Error(`node ${this.id} won an election without being a voter`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = "leader";
    this.trk.progress.get(this.id)!.becomeReplicate();
    // Any conf change in the log may be unapplied: no new one until everything up to here is applied.
    this.pendingConfIndex = this.log.lastIndex();
    // The no-op: entries of earlier terms commit only once an entry of this term does (§5.4.2).
    this.appendEntries([{ index: 0, term: 0, type: "normal", data: EMPTY_BYTES }]);
    this.logger?.info("became leader", { id: this.id, term: this.term });
  }

  // ---- sending ---------------------------------------------------------------------------------

  private send(m: Message): void {
    this.msgs.push(m);
  }

  /**
   * Send an append to `to` if there is something to send: entries, a commit index it can use, or
   * (force) a probe even when empty. Returns true when a message went out.
   */
  private sendAppend(to: NodeId, force: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const log = this.log;
    if (pr.next < log.firstIndex()) return this.sendSnapshot(to, pr);
    const prevIndex = pr.next - 1;
    const prevTerm = log.term(prevIndex);
    const last = log.lastIndex();
    // With a full window only an empty append goes out: its answer (ack or reject) frees the window
    // even when every message that filled it was lost.
    const throttled = pr.state === "replicate" && pr.inflights.full();
    const ents = pr.next <= last && !throttled ? log.slice(pr.next, last + 1, this.maxMsgSize) : [];
    const commit = log.committed;
    if (ents.length === 0 && !force && !pr.canBumpCommit(commit)) return false;
    const m = newMessage("app", this.id, to, this.term);
    m.index = prevIndex;
    m.logTerm = prevTerm;
    m.entries = ents;
    m.commit = commit;
    this.send(m);
    let bytes = 0;
    for (let k = 0; k < ents.length; k++) bytes += entrySize(ents[k]!);
    const lastSent = prevIndex + ents.length;
    pr.sentEntries(ents.length, bytes, lastSent);
    pr.sentCommit = Math.max(pr.sentCommit, Math.min(commit, lastSent));
    return true;
  }

  /** The follower needs compacted entries: offer the storage's snapshot (only to a follower we hear from). */
  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    const meta = this.log.storage.snapshotMeta();
    const m = newMessage("snap", this.id, to, this.term);
    m.snapshot = { index: meta.index, term: meta.term, conf: { voters: meta.conf.voters.slice(), learners: meta.conf.learners.slice() } };
    pr.becomeSnapshot(meta.index);
    this.send(m);
    this.logger?.debug("sent snapshot", { id: this.id, to, index: meta.index });
    return true;
  }

  /** Send pending entries and commit updates to everyone (called by RawNode before building a Ready). */
  flushBroadcast(): void {
    if (!this.needBroadcast) return;
    this.needBroadcast = false;
    if (this.role !== "leader") return;
    for (const id of this.trk.progress.keys()) {
      if (id !== this.id) this.sendAppend(id, false);
    }
  }

  private bcastHeartbeat(ctx: Uint8Array | null): void {
    for (const [id, pr] of this.trk.progress) {
      if (id === this.id) continue;
      const m = newMessage("heartbeat", this.id, id, this.term);
      // Never tell a follower a commit beyond what it is known to hold.
      m.commit = Math.min(pr.match, this.log.committed);
      if (ctx !== null) m.context = ctx;
      this.send(m);
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send(newMessage("timeoutNow", this.id, to, this.term));
  }

  // ---- log and commit --------------------------------------------------------------------------

  /** Leader: append entries (index/term filled in here) and count our own copy. */
  private appendEntries(ents: Entry[]): number {
    let index = this.log.lastIndex();
    for (let k = 0; k < ents.length; k++) {
      const e = ents[k]!;
      e.index = ++index;
      e.term = this.term;
      this.uncommittedBytes += entrySize(e);
    }
    const last = this.log.append(ents);
    // Our copy counts at once. The driver may send these entries before they are durable here, but
    // takes no new Ready (so sends no commit that counted our copy, applies nothing) until they are.
    this.trk.progress.get(this.id)!.maybeUpdate(last);
    this.maybeCommit();
    this.needBroadcast = true;
    return last;
  }

  /**
   * Advance commit to what a majority of voters holds, but only through an entry of the current term
   * (§5.4.2: counting replicas of an older term's entry is not enough).
   */
  private maybeCommit(): boolean {
    const mci = this.trk.committed();
    if (mci <= this.log.committed || this.log.term(mci) !== this.term) return false;
    this.log.commitTo(mci);
    this.needBroadcast = true;
    if (this.pendingReads.length > 0) {
      const reads = this.pendingReads;
      this.pendingReads = [];
      for (const r of reads) this.handleReadIndex(r.from, r.ctx);
    }
    return true;
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  // ---- ticks -----------------------------------------------------------------------------------

  tick(): void {
    if (this.role === "leader") this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(this.preVote ? "preElection" : "election");
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum && !this.trk.quorumActive(this.id)) {
        this.logger?.info("stepped down: no quorum heard from", { id: this.id, term: this.term });
        this.becomeFollower(this.term, NONE);
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.leadTransferee !== NONE) this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingCtx());
    }
  }

  // ---- elections -------------------------------------------------------------------------------

  /** Campaign now (the driver's campaign()): with pre-vote when enabled. */
  campaignNow(): void {
    this.hup(this.preVote ? "preElection" : "election");
  }

  /** Start an election if this node may: a voter, not leader, with every committed conf change applied. */
  hup(kind: CampaignKind): void {
    if (this.role === "leader") return;
    if (!this.promotable()) return;
    // Counting votes with a membership older than a committed one could elect two leaders.
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(kind);
  }

  private hasUnappliedConfChanges(): boolean {
    const log = this.log;
    if (log.applied >= log.committed) return false;
    // Scan in pages so a long unapplied tail does not load at once.
    let lo = Math.max(log.applied + 1, log.firstIndex());
    const hi = log.committed + 1;
    while (lo < hi) {
      const page = log.slice(lo, hi, this.maxCommittedSizePerReady);
      for (let k = 0; k < page.length; k++) if (page[k]!.type === "confChange") return true;
      lo += page.length;
    }
    return false;
  }

  private campaign(kind: CampaignKind): void {
    let type: MessageType;
    let term: number;
    if (kind === "preElection") {
      this.becomePreCandidate();
      type = "preVote";
      // Pre-votes ask about the next term without moving to it.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      type = "vote";
      term = this.term;
    }
    // Our own vote counts at once: a win needs answers, and those follow our persisted vote.
    this.trk.recordVote(this.id, true);
    if (this.trk.tallyVotes() === "won") {
      if (kind === "preElection") this.campaign("election");
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of this.trk.voters) {
      if (id === this.id) continue;
      const m = newMessage(type, this.id, id, term);
      m.index = lastIndex;
      m.logTerm = lastTerm;
      m.transfer = kind === "transfer";
      this.send(m);
    }
  }

  // ---- step ------------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term > this.term) {
      if (m.type === "vote" || m.type === "preVote") {
        // Leader lease: a node that heard from a leader within the election timeout ignores
        // elections, unless the leader itself asked for one (transfer).
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        if (!m.transfer && inLease) return;
      }
      if (m.type === "preVote") {
        // A pre-vote never moves our term.
      } else if (m.type === "preVoteResp" && !m.reject) {
        // Granted pre-votes carry the term we asked about; we move there when we win.
      } else if (m.type === "app" || m.type === "heartbeat" || m.type === "snap") {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === "heartbeat" || m.type === "app")) {
        // A stale leader (e.g. back from a partition) learns our term from this and steps down;
        // with check-quorum/pre-vote nothing else would tell it. A heartbeat answer, because if the
        // sender has meanwhile become leader of our term it must not read this as an append ack.
        this.send(newMessage("heartbeatResp", this.id, m.from, this.term));
      } else if (m.type === "preVote") {
        const r = newMessage("preVoteResp", this.id, m.from, this.term);
        r.reject = true;
        this.send(r);
      }
      return;
    }

    if (m.type === "vote" || m.type === "preVote") {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case "leader":
        this.stepLeader(m);
        break;
      case "candidate":
      case "preCandidate":
        this.stepCandidate(m);
        break;
      case "follower":
        this.stepFollower(m);
        break;
    }
  }

  private handleVoteRequest(m: Message): void {
    // We may vote if we already voted for this candidate, or have voted for nobody and know no leader
    // in this term; a pre-vote for a future term is always fair game.
    const canVote =
      this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (m.type === "preVote" && m.term > this.term);
    const respType: MessageType = m.type === "vote" ? "voteResp" : "preVoteResp";
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // Answer with the term asked about, so a pre-candidate can tell these answers from stale ones.
      const r = newMessage(respType, this.id, m.from, m.term);
      this.send(r);
      if (m.type === "vote") {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      const r = newMessage(respType, this.id, m.from, this.term);
      r.reject = true;
      this.send(r);
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case "readIndex":
        this.handleReadIndex(m.from, m.context);
        return;
      case "app":
      case "heartbeat":
      case "snap":
        // Another leader in our term would break election safety; it cannot happen.
        throw new Error(`leader ${this.id} got ${m.type} from ${m.from} in its own term ${this.term}`);
    }
    const pr = this.trk.progress.get(m.from);
    if (!pr) return; // not a member (any more)
    switch (m.type) {
      case "appResp":
        this.handleAppendResponse(m, pr);
        return;
      case "heartbeatResp":
        this.handleHeartbeatResponse(m, pr);
        return;
      default:
        return; // stale vote answers and the like
    }
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      // Skip a whole diverging term at once using the follower's hint (§5.3 optimisation).
      let nextProbe = m.rejectHint;
      if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === "replicate") pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === "probe"))) return;
    if (pr.state === "probe") {
      pr.becomeReplicate();
    } else if (pr.state === "snapshot" && pr.match + 1 >= this.log.firstIndex()) {
      // The follower installed a snapshot (or caught up otherwise): replicate from its match.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === "replicate") {
      pr.inflights.freeLE(m.index);
    }
    this.maybeCommit();
    while (this.sendAppend(m.from, false)) {
      // keep filling the window while there is something to send
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.paused = false;
    // Also re-probes a caught-up follower left in probe state (e.g. after reportUnreachable).
    if (pr.match < this.log.lastIndex() || pr.state === "probe") this.sendAppend(m.from, true);
    if (m.context.length === 0) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (acks === null || voteResult(this.trk.voters, acks) !== "won") return;
    for (const req of this.readOnly.advance(m.context)) this.respondRead(req);
  }

  private stepCandidate(m: Message): void {
    const myResp: MessageType = this.role === "preCandidate" ? "preVoteResp" : "voteResp";
    switch (m.type) {
      case "app":
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case "heartbeat":
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case "snap":
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case "readIndexResp":
        this.readStates.push({ index: m.index, ctx: m.context });
        return;
      default:
        if (m.type !== myResp) return;
        this.trk.recordVote(m.from, !m.reject);
        switch (this.trk.tallyVotes()) {
          case "won":
            if (this.role === "preCandidate") this.campaign("election");
            else this.becomeLeader();
            return;
          case "lost":
            // A rejecting pre-vote may carry our own term: fall back to follower in it.
            this.becomeFollower(this.term, NONE);
            return;
          case "pending":
            return;
        }
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case "app":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case "heartbeat":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case "snap":
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case "timeoutNow":
        // The leader hands over: campaign at once, skipping pre-vote and leases.
        this.hup("transfer");
        return;
      case "readIndexResp":
        this.readStates.push({ index: m.index, ctx: m.context });
        return;
      default:
        return;
    }
  }

  private handleAppendEntries(m: Message): void {
    const r = newMessage("appResp", this.id, m.from, this.term);
    if (m.index < this.log.committed) {
      // Old or duplicated: everything up to our commit matches the leader anyway.
      r.index = this.log.committed;
      this.send(r);
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew >= 0) {
      r.index = lastNew;
      this.send(r);
      return;
    }
    // Mismatch: tell the leader the last index where we might match, with its term.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    r.reject = true;
    r.index = m.index;
    r.rejectHint = hint.index;
    r.logTerm = hint.term;
    this.send(r);
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    const r = newMessage("heartbeatResp", this.id, m.from, this.term);
    r.context = m.context;
    this.send(r);
  }

  private handleSnapshot(m: Message): void {
    const meta = m.snapshot;
    if (meta === null) return;
    const r = newMessage("appResp", this.id, m.from, this.term);
    r.index = this.restore(meta) ? this.log.lastIndex() : this.log.committed;
    this.send(r);
  }

  /** Accept a snapshot newer than our commit. Returns false when it was not needed. */
  private restore(meta: SnapshotMeta): boolean {
    if (meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We hold that entry already: it is committed, and so is everything before it.
      this.log.commitTo(meta.index);
      return false;
    }
    // Committed entries are out for applying (between ready() and advance()): the driver is about to
    // call applyConfChange for them against the membership a snapshot would replace. Refuse; the
    // leader offers a snapshot again after reportSnapshot.
    if (this.log.applying > this.log.applied) return false;
    this.log.restore(meta);
    // The snapshot's membership replaces ours (even one that does not list us yet: a joining node
    // learns that it was added from the entries that follow).
    this.trk.setConf(meta.conf, this.log.lastIndex() + 1);
    this.logger?.debug("restored snapshot", { id: this.id, index: meta.index, term: meta.term });
    return true;
  }

  // ---- reads -----------------------------------------------------------------------------------

  /** Leader: serve a read once a heartbeat round confirms we are still the leader (§6.4). */
  handleReadIndex(from: NodeId, ctx: Uint8Array): void {
    if (this.trk.isSingleton(this.id)) {
      this.respondRead({ from, ctx, index: this.log.committed });
      return;
    }
    // Until an entry of our term commits, our commit index may lag the previous leader's.
    if (!this.committedEntryInCurrentTerm()) {
      this.pendingReads.push({ from, ctx, index: 0 });
      return;
    }
    this.readOnly.add({ from, ctx, index: this.log.committed });
    this.readOnly.recvAck(this.id, ctx);
    this.bcastHeartbeat(ctx);
  }

  private respondRead(req: ReadRequest): void {
    if (req.from === this.id || req.from === NONE) {
      this.readStates.push({ index: req.index, ctx: req.ctx });
      return;
    }
    const m = newMessage("readIndexResp", this.id, req.from, this.term);
    m.index = req.index;
    m.context = req.ctx;
    this.send(m);
  }

  // ---- requests from the driver ----------------------------------------------------------------

  /** Committed entries were handed out for applying: they no longer count as uncommitted. */
  reduceUncommitted(ents: readonly Entry[]): void {
    if (this.role !== "leader" || this.uncommittedBytes === 0) return;
    let size = 0;
    for (let k = 0; k < ents.length; k++) size += entrySize(ents[k]!);
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - size);
  }

  propose(data: Uint8Array): { index: number; term: number } {
    this.checkProposable();
    this.checkUncommitted(data.byteLength + 16);
    const index = this.appendEntries([{ index: 0, term: 0, type: "normal", data }]);
    return { index, term: this.term };
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    this.checkProposable();
    if (this.pendingConfIndex > this.log.applied) {
      throw new ProposalDroppedError("confChangePending", `index ${this.pendingConfIndex} not applied yet`);
    }
    if (changeConf(this.trk.confState(), cc) === null) {
      throw new ProposalDroppedError("invalidConfChange", `${cc.type} ${cc.nodeId}`);
    }
    const data = encodeConfChange(cc);
    this.checkUncommitted(data.byteLength + 16);
    const index = this.appendEntries([{ index: 0, term: 0, type: "confChange", data }]);
    this.pendingConfIndex = index;
    return { index, term: this.term };
  }

  private checkUncommitted(size: number): void {
    const limit = this.maxUncommittedBytes;
    if (limit > 0 && this.uncommittedBytes > 0 && this.uncommittedBytes + size > limit) {
      throw new ProposalDroppedError("uncommittedLimit", `${this.uncommittedBytes} bytes uncommitted`);
    }
  }

  private checkProposable(): void {
    if (this.role !== "leader") throw new NotLeaderError(this.lead);
    // During a transfer the target must catch up with a log that stops growing.
    if (this.leadTransferee !== NONE) throw new ProposalDroppedError("leaderTransferring");
  }

  /** The driver applied a conf change entry: switch membership. Returns the resulting membership. */
  applyConfChange(cc: ConfChange): ConfState {
    const next = changeConf(this.trk.confState(), cc);
    if (next !== null) this.switchToConfig(next);
    return this.trk.confState();
  }

  private switchToConfig(conf: ConfState): void {
    this.trk.setConf(conf, this.log.lastIndex() + 1);
    if (this.role !== "leader") return;
    if (!this.trk.isVoter(this.id)) {
      // Removed or demoted: a leader outside the voters would keep the cluster's followers quiet
      // (their lease) while not counting itself; hand over by stepping down.
      this.logger?.info("stepped down: no longer a voter", { id: this.id, term: this.term });
      this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    // A smaller majority may commit more; new members need their first probe.
    this.maybeCommit();
    this.needBroadcast = true;
  }

  readIndex(ctx: Uint8Array): void {
    if (ctx.length === 0) throw new Error("readIndex needs a non-empty context");
    if (this.role === "leader") {
      this.handleReadIndex(this.id, ctx);
      return;
    }
    if (this.lead === NONE) throw new NotLeaderError(NONE);
    const m = newMessage("readIndex", this.id, this.lead, this.term);
    m.context = ctx;
    this.send(m);
  }

  transferLeader(target: NodeId): void {
    if (this.role !== "leader") throw new NotLeaderError(this.lead);
    if (target === this.id) return;
    if (!this.trk.isVoter(target)) throw new ProposalDroppedError("invalidTarget", `${target} is not a voter`);
    if (this.leadTransferee === target) return;
    this.leadTransferee = target;
    // The transfer must finish within an election timeout (see tickHeartbeat).
    this.electionElapsed = 0;
    const pr = this.trk.progress.get(target)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(target, true);
  }

  reportUnreachable(id: NodeId): void {
    if (this.role !== "leader") return;
    const pr = this.trk.progress.get(id);
    // Messages were probably lost: stop streaming optimistically and probe again.
    if (pr && pr.state === "replicate") pr.becomeProbe();
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    if (this.role !== "leader") return;
    const pr = this.trk.progress.get(id);
    if (!pr || pr.state !== "snapshot") return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the follower's answer (or a heartbeat round) before the next append.
    pr.paused = true;
  }
}
