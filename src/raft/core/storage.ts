// The durable view the core reads. The driver implements it (SQLite in production, MemoryStorage in
// tests). Calls are synchronous and frequent (term() and entries() sit on the replication path), so an
// implementation should keep the tail of the log cached.

import type { ConfState, Entry, HardState, SnapshotMeta } from "./types.ts";

export interface InitialState {
  hardState: HardState;
  /** Membership as of the applied index the driver passes in Config.applied (kept with the state machine). */
  confState: ConfState;
}

export interface Storage {
  /** Read once when a core starts. */
  initialState(): InitialState;

  /**
   * Entries [lo, hi), at most maxBytes in total (by entrySize) but always at least one when lo < hi.
   * Throws CompactedError when lo < firstIndex(), UnavailableError when hi > lastIndex() + 1.
   */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];

  /**
   * Term of entry i for firstIndex()-1 <= i <= lastIndex(); firstIndex()-1 is the snapshot's index and
   * answers with the snapshot's term. Throws CompactedError below, UnavailableError above.
   */
  term(i: number): number;

  /** Index of the first entry still held: the latest snapshot's index + 1. */
  firstIndex(): number;

  /** Index of the last durable entry; the snapshot's index when the log is empty. */
  lastIndex(): number;

  /**
   * The snapshot the leader offers to a follower that needs compacted entries. Its index must be
   * >= firstIndex() - 1 and <= the applied index. It may be newer than the compaction point (e.g.
   * "the database as of the applied index").
   */
  snapshotMeta(): SnapshotMeta;
}
