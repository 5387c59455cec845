// The part of the log not yet on disk: entries appended since the last persisted Ready, and possibly a
// snapshot received from the leader. The driver is handed both through Ready; advance() marks them stable.

import type { Entry, SnapshotMeta } from "./types.ts";

export class UnstableLog {
  /** A snapshot received from the leader and not yet installed by the driver. */
  snapshot: SnapshotMeta | null = null;
  /** entries[k] has index offset + k. */
  entries: Entry[] = [];
  offset: number;
  /** Entries below this index (and the snapshot, if flagged) were handed to the driver in a Ready. */
  offsetInProgress: number;
  snapshotInProgress = false;

  constructor(offset: number) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  /** Last index held here, or -1 when there is nothing (the durable log answers then). */
  lastIndex(): number {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    if (this.snapshot !== null) return this.snapshot.index;
    return -1;
  }

  /** Term of entry i if held here (or the snapshot's), else -1. */
  term(i: number): number {
    if (i >= this.offset) {
      const k = i - this.offset;
      return k < this.entries.length ? this.entries[k]!.term : -1;
    }
    if (this.snapshot !== null && this.snapshot.index === i) return this.snapshot.term;
    return -1;
  }

  /** Entries [lo, hi); the caller guarantees offset <= lo <= hi <= lastIndex + 1. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }

  /** Entries not yet handed to the driver. */
  nextEntries(): Entry[] {
    const k = this.offsetInProgress - this.offset;
    return k >= this.entries.length ? [] : this.entries.slice(k);
  }

  hasNextEntries(): boolean {
    return this.offsetInProgress - this.offset < this.entries.length;
  }

  nextSnapshot(): SnapshotMeta | null {
    return this.snapshot !== null && !this.snapshotInProgress ? this.snapshot : null;
  }

  /** Everything currently held has been handed to the driver. */
  acceptInProgress(): void {
    if (this.entries.length > 0) this.offsetInProgress = this.offset + this.entries.length;
    if (this.snapshot !== null) this.snapshotInProgress = true;
  }

  /**
   * The driver persisted entries up to (index, term). If the entry there has since been replaced (a new
   * leader overwrote it between Ready and advance), the newer entry is not stable yet: keep it.
   */
  stableTo(index: number, term: number): void {
    if (index < this.offset) return;
    const k = index - this.offset;
    if (k >= this.entries.length || this.entries[k]!.term !== term) return;
    this.entries = this.entries.slice(k + 1);
    this.offset = index + 1;
    if (this.offsetInProgress < this.offset) this.offsetInProgress = this.offset;
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.index === index) {
      this.snapshot = null;
      this.snapshotInProgress = false;
    }
  }

  /** Replace everything with a snapshot from the leader. */
  restore(meta: SnapshotMeta): void {
    this.offset = meta.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = meta;
    this.snapshotInProgress = false;
  }

  /** Append entries that follow entries[0].index - 1, dropping whatever held that index or later. */
  truncateAndAppend(ents: readonly Entry[]): void {
    const from = ents[0]!.index;
    const end = this.offset + this.entries.length;
    if (from === end) {
      for (let k = 0; k < ents.length; k++) this.entries.push(ents[k]!);
      return;
    }
    if (from <= this.offset) {
      // Everything held is replaced. The durable log below `from` stays valid.
      this.offset = from;
      this.offsetInProgress = from;
      this.entries = ents.slice();
      return;
    }
    // Keep [offset, from) and append. `from` may be above `end` only through a caller bug.
    if (from > end) throw new Error(`unstable append leaves a gap: end ${end}, from ${from}`);
    this.entries = this.entries.slice(0, from - this.offset);
    for (let k = 0; k < ents.length; k++) this.entries.push(ents[k]!);
    if (this.offsetInProgress > from) this.offsetInProgress = from;
  }
}
