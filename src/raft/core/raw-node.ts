// The API a driver calls. The driver owns time, disk and network; this object owns the protocol.
//
// Driver loop (single-threaded):
//   on timer:    node.tick()
//   on message:  node.step(msg)
//   on request:  node.propose(data) / proposeConfChange(cc) / readIndex(ctx) / transferLeader(id)
//   then, while node.hasReady():
//     const rd = node.ready();
//     1. if rd.snapshot: install it (state machine + log) before anything else
//     2. persist rd.entries and rd.hardState in one atomic write (fsync if rd.mustSync)
//     3. send rd.messages (only now: they promise what step 2 made durable)
//     4. apply rd.committedEntries in order; for a "confChange" entry call
//        node.applyConfChange(decodeConfChange(entry.data)) and store the returned ConfState with the
//        state machine, in the same transaction as the applied index
//     5. serve rd.readStates once the state machine has applied their index
//     6. node.advance()
// tick/step/propose may also be called between ready() and advance(); ready() may not.

import { Raft } from "./raft.ts";
import type { Config, Status } from "./raft.ts";
import { sameHardState } from "./types.ts";
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, ReadState, Role, SnapshotMeta, SoftState } from "./types.ts";

export interface Ready {
  /** Set when leader or role changed since the previous Ready. */
  softState?: SoftState;
  /** Set when term, vote or commit changed: persist with `entries`. */
  hardState?: HardState;
  /** New log entries to persist; an entry replaces any durable entry at its index and all after it. */
  entries: Entry[];
  /** A snapshot from the leader to install (replaces the log and the state machine). */
  snapshot?: SnapshotMeta;
  /** Entries to apply, in order, after `entries`/`hardState` are durable. */
  committedEntries: Entry[];
  /** Send after `entries`/`hardState`/`snapshot` are durable. */
  messages: Message[];
  /** Confirmed reads (ReadIndex). */
  readStates: ReadState[];
  /** Whether step 2 needs an fsync (new entries, snapshot, or term/vote change; a commit-only change does not). */
  mustSync: boolean;
}

interface InFlight {
  lastIndex: number;
  lastTerm: number;
  snapshotIndex: number;
  applyingTo: number;
}

export class RawNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private inFlight: InFlight | null = null;

  constructor(config: Config) {
    this.raft = new Raft(config);
    this.prevSoft = this.raft.softState();
    this.prevHard = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  get term(): number {
    return this.raft.term;
  }

  get role(): Role {
    return this.raft.role;
  }

  /** The leader this node knows of (NONE when none). */
  get leader(): NodeId {
    return this.raft.lead;
  }

  get commitIndex(): number {
    return this.raft.log.committed;
  }

  /** Advance logical time by one tick. */
  tick(): void {
    this.raft.tick();
  }

  /** Feed a message from a peer. Messages addressed to another node are ignored. */
  step(m: Message): void {
    if (m.to !== this.raft.id) return;
    this.raft.step(m);
  }

  /** Start an election now (e.g. to elect the only member of a new one-node cluster at once). */
  campaign(): void {
    this.raft.campaignNow();
  }

  /**
   * Append data to the log (leader only). Throws NotLeaderError (with the known leader) on a follower,
   * ProposalDroppedError during a leadership transfer. The entry is committed when it appears in
   * Ready.committedEntries with the returned index and term; if another entry shows up at that index,
   * the proposal was lost.
   */
  propose(data: Uint8Array): { index: number; term: number } {
    return this.raft.propose(data);
  }

  /** Propose a membership change (leader only; one at a time). Throws like propose(), and
   * ProposalDroppedError("confChangePending") while an earlier change is unapplied. */
  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    return this.raft.proposeConfChange(cc);
  }

  /** Apply a committed conf change entry (every node, in log order). Returns the new membership. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /**
   * Ask for a linearizable read point. The answer comes as Ready.readStates {index, ctx}: serve the
   * read once applied >= index. `ctx` must be non-empty and unique among pending reads. On a follower
   * the request is forwarded to the leader; it may be lost (retry after a timeout). Throws
   * NotLeaderError when no leader is known.
   */
  readIndex(ctx: Uint8Array): void {
    this.raft.readIndex(ctx);
  }

  /** Hand leadership to a voter (leader only): it is sent TimeoutNow once its log is caught up. */
  transferLeader(target: NodeId): void {
    this.raft.transferLeader(target);
  }

  /** The transport failed to deliver to `id`: stop streaming to it and probe. */
  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  /** The out-of-band snapshot transfer to `id` finished (ok) or failed. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.reportSnapshot(id, ok);
  }

  status(): Status {
    return this.raft.status();
  }

  /** Is there anything for ready()? Always false between ready() and advance(). */
  hasReady(): boolean {
    if (this.inFlight !== null) return false;
    const r = this.raft;
    if (r.needBroadcast && r.role === "leader") return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.lead !== this.prevSoft.leader || r.role !== this.prevSoft.role) return true;
    const u = r.log.unstable;
    if (u.nextSnapshot() !== null || u.hasNextEntries()) return true;
    if (r.term !== this.prevHard.term || r.vote !== this.prevHard.vote || r.log.committed !== this.prevHard.commit) return true;
    return r.log.hasNextCommittedEntries();
  }

  /** What to persist, send and apply now. Call advance() when done, before the next ready(). */
  ready(): Ready {
    if (this.inFlight !== null) throw new Error("ready() called again before advance()");
    const r = this.raft;
    r.flushBroadcast();
    const log = r.log;
    const u = log.unstable;
    const entries = u.nextEntries();
    const snapshot = u.nextSnapshot();
    const committedEntries = log.nextCommittedEntries(r.maxCommittedSizePerReady);
    r.reduceUncommitted(committedEntries);
    const rd: Ready = {
      entries,
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== null,
    };
    r.msgs = [];
    r.readStates = [];
    const soft = r.softState();
    if (soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    const hard = r.hardState();
    if (!sameHardState(hard, this.prevHard)) {
      if (hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote) rd.mustSync = true;
      rd.hardState = hard;
      this.prevHard = hard;
    }
    if (snapshot !== null) rd.snapshot = snapshot;
    u.acceptInProgress();
    const lastEntry = entries.length > 0 ? entries[entries.length - 1]! : null;
    const applyingTo = committedEntries.length > 0 ? committedEntries[committedEntries.length - 1]!.index : 0;
    if (applyingTo > 0) log.applying = applyingTo;
    this.inFlight = {
      lastIndex: lastEntry ? lastEntry.index : 0,
      lastTerm: lastEntry ? lastEntry.term : 0,
      snapshotIndex: snapshot ? snapshot.index : 0,
      applyingTo,
    };
    return rd;
  }

  /** The last Ready has been persisted, sent and applied. */
  advance(): void {
    const f = this.inFlight;
    if (f === null) return;
    this.inFlight = null;
    const log = this.raft.log;
    if (f.snapshotIndex > 0) {
      log.unstable.stableSnapTo(f.snapshotIndex);
      log.appliedTo(f.snapshotIndex);
    }
    if (f.lastIndex > 0) log.unstable.stableTo(f.lastIndex, f.lastTerm);
    if (f.applyingTo > 0) log.appliedTo(f.applyingTo);
  }
}
