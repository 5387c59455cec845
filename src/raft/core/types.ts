// The data the Raft core exchanges with its driver and its peers. Everything here is plain numbers,
// strings, arrays and Uint8Array so it maps one-to-one onto a protobuf message later.

/** A member's id. Ids are never reused: a removed node that comes back needs a new id. */
export type NodeId = number;
/** "No node": no leader known, no vote cast. */
export const NONE: NodeId = 0;

/** "normal" carries state-machine data (empty data = the leader's no-op); "confChange" carries an encoded ConfChange. */
export type EntryType = "normal" | "confChange";

export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  data: Uint8Array;
}

/** What must be on disk before any message of the same Ready leaves the node. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

/**
 * Describes a snapshot: the state machine as of `index` (whose entry has `term`), with membership `conf`.
 * The core never sees the snapshot's bytes; the driver streams them out-of-band.
 */
export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export type Role = "follower" | "preCandidate" | "candidate" | "leader";

/** Volatile state worth showing (metrics, routing). Not persisted. */
export interface SoftState {
  leader: NodeId;
  role: Role;
}

/** A confirmed ReadIndex: serve the read identified by `ctx` once the state machine has applied `index`. */
export interface ReadState {
  index: number;
  ctx: Uint8Array;
}

export type ConfChangeType = "addVoter" | "addLearner" | "removeNode";

/** One membership change. `addVoter` on a learner promotes it; `addLearner` on a voter demotes it. */
export interface ConfChange {
  type: ConfChangeType;
  nodeId: NodeId;
  /** Opaque to the core (e.g. the new node's address); travels inside the entry. */
  context?: Uint8Array;
}

/**
 * Messages between cores. Field meaning per type:
 * - app:           index/logTerm = entry preceding `entries`; commit = leader's commit.
 * - appResp:       accepted: index = last index now matching the leader. rejected: index = the probed
 *                  index, rejectHint/logTerm = the follower's guess of where the logs may match.
 * - preVote, vote: index/logTerm = candidate's last entry; term = the term campaigned for (preVote: term+1);
 *                  transfer = requested by a leadership transfer, so voters ignore their leader lease.
 * - preVoteResp, voteResp: reject.
 * - heartbeat:     commit = min(follower's match, leader's commit); context = newest pending ReadIndex ctx.
 * - heartbeatResp: context echoed.
 * - snap:          snapshot = what the driver streams to the follower.
 * - timeoutNow:    "campaign now, skipping pre-vote" (leadership transfer).
 * - readIndex:     a follower forwards a read; context identifies it.
 * - readIndexResp: index = the read index for context.
 */
export type MessageType =
  | "app"
  | "appResp"
  | "preVote"
  | "preVoteResp"
  | "vote"
  | "voteResp"
  | "heartbeat"
  | "heartbeatResp"
  | "snap"
  | "timeoutNow"
  | "readIndex"
  | "readIndexResp";

export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  transfer: boolean;
  snapshot: SnapshotMeta | null;
  context: Uint8Array;
}

export const EMPTY_BYTES = new Uint8Array(0);

/** A message with every field at its protobuf default; one object shape for all messages keeps it fast. */
export function newMessage(type: MessageType, from: NodeId, to: NodeId, term: number): Message {
  return {
    type,
    from,
    to,
    term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    transfer: false,
    snapshot: null,
    context: EMPTY_BYTES,
  };
}

/** Bytes an entry counts for in size limits: its payload plus a fixed header estimate. */
export function entrySize(e: Entry): number {
  return e.data.byteLength + 16;
}

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === NONE && hs.commit === 0;
}

export function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export function cloneConfState(cs: ConfState): ConfState {
  return { voters: cs.voters.slice(), learners: cs.learners.slice() };
}
