// The log as the core sees it: the durable part (Storage) followed by the unstable part (not yet
// persisted), plus the commit and apply cursors.

import { UnstableLog } from "./log-unstable.ts";
import type { Storage } from "./storage.ts";
import { entrySize } from "./types.ts";
import type { Entry, SnapshotMeta } from "./types.ts";

export class RaftLog {
  readonly storage: Storage;
  readonly unstable: UnstableLog;
  /** Highest index known to be committed. */
  committed: number;
  /** Highest index the driver has applied (confirmed through advance()). */
  applied: number;
  /** Highest index handed to the driver for applying (>= applied). */
  applying: number;

  constructor(storage: Storage, applied: number) {
    this.storage = storage;
    const first = storage.firstIndex();
    this.unstable = new UnstableLog(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = Math.max(first - 1, applied);
    this.applying = this.applied;
  }

  firstIndex(): number {
    const snap = this.unstable.snapshot;
    return snap !== null ? snap.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    const u = this.unstable.lastIndex();
    return u >= 0 ? u : this.storage.lastIndex();
  }

  /** Term of entry i, or -1 when i is compacted away or beyond the log. */
  term(i: number): number {
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return -1;
    const t = this.unstable.term(i);
    if (t >= 0) return t;
    // In range and not unstable: the durable log holds it.
    return this.storage.term(i);
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  matchTerm(i: number, term: number): boolean {
    const t = this.term(i);
    return t >= 0 && t === term;
  }

  /** §5.4.1: is a log ending at (index, term) at least as up to date as ours? */
  isUpToDate(index: number, term: number): boolean {
    const lastTerm = this.lastTerm();
    return term > lastTerm || (term === lastTerm && index >= this.lastIndex());
  }

  /**
   * Entries [lo, hi) limited to maxBytes (at least one). The caller checks firstIndex() <= lo and
   * hi <= lastIndex() + 1.
   */
  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    if (lo >= hi) return [];
    const off = this.unstable.offset;
    let out: Entry[];
    if (lo < off) {
      const durableHi = Math.min(hi, off);
      out = this.storage.entries(lo, durableHi, maxBytes);
      if (out.length < durableHi - lo || hi <= off) return out;
      if (maxBytes === Infinity) {
        const rest = this.unstable.slice(off, hi);
        for (let k = 0; k < rest.length; k++) out.push(rest[k]!);
        return out;
      }
      let size = 0;
      for (let k = 0; k < out.length; k++) size += entrySize(out[k]!);
      const ents = this.unstable.entries;
      for (let i = off; i < hi; i++) {
        const e = ents[i - off]!;
        size += entrySize(e);
        if (size > maxBytes) break;
        out.push(e);
      }
      return out;
    }
    if (maxBytes === Infinity) return this.unstable.slice(lo, hi);
    const ents = this.unstable.entries;
    let size = entrySize(ents[lo - off]!);
    let end = lo + 1;
    while (end < hi) {
      size += entrySize(ents[end - off]!);
      if (size > maxBytes) break;
      end++;
    }
    return this.unstable.slice(lo, end);
  }

  /** Entries from lo to the end of the log, limited to maxBytes. */
  entriesFrom(lo: number, maxBytes: number): Entry[] {
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  /** Leader append: entries follow the last index. Returns the new last index. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed) throw new Error(`append after ${after} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * Follower append (§5.3): if our entry at `index` has `logTerm`, take `ents` after it, overwriting a
   * conflicting suffix, and advance commit to min(commit, last new index). Returns the last new index,
   * or -1 when the logs do not match at `index`.
   */
  maybeAppend(index: number, logTerm: number, commit: number, ents: readonly Entry[]): number {
    if (!this.matchTerm(index, logTerm)) return -1;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) throw new Error(`entry ${ci} conflicts with committed entry (commit ${this.committed})`);
      const k = ci - (index + 1);
      this.append(k === 0 ? ents : ents.slice(k));
    }
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /**
   * Index of the first entry in ents that is missing from our log or has another term; 0 when we hold
   * them all already.
   */
  findConflict(ents: readonly Entry[]): number {
    const last = this.lastIndex();
    for (let k = 0; k < ents.length; k++) {
      const e = ents[k]!;
      if (e.index > last) return e.index;
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The last index <= `index` whose term is <= `term`, and that term (0 if unknown). Used both by a
   * follower to say where a rejected append might match and by the leader to pick the next probe, so a
   * whole diverging term is skipped in one round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = index;
    for (;;) {
      const t = this.term(i);
      if (t < 0) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
      i--;
    }
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    const last = this.lastIndex();
    if (index > last) throw new Error(`commit ${index} is beyond the last index ${last}; log lost or corrupt`);
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index <= this.applied) return;
    if (index > this.committed) throw new Error(`applied ${index} beyond committed ${this.committed}`);
    this.applied = index;
    if (this.applying < index) this.applying = index;
  }

  /** Replace the log by a snapshot from the leader; everything up to it counts as committed. */
  restore(meta: SnapshotMeta): void {
    this.committed = meta.index;
    this.unstable.restore(meta);
  }

  /** Is there anything to hand out for applying? Nothing while a snapshot waits to be installed. */
  hasNextCommittedEntries(): boolean {
    if (this.unstable.snapshot !== null) return false;
    return this.applying < this.committed;
  }

  nextCommittedEntries(maxBytes: number): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    const lo = Math.max(this.applying + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, maxBytes);
  }
}
