// Storage held in memory: used by the simulator (where it plays the role of the disk) and by tests.

import { CompactedError, UnavailableError } from "./errors.ts";
import type { InitialState, Storage } from "./storage.ts";
import { cloneConfState, entrySize } from "./types.ts";
import type { ConfState, Entry, HardState, NodeId, SnapshotMeta } from "./types.ts";

export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private confState: ConfState = { voters: [], learners: [] };
  private snap: SnapshotMeta = { index: 0, term: 0, conf: { voters: [], learners: [] } };
  /** ents[k] has index snap.index + 1 + k. */
  private ents: Entry[] = [];

  /**
   * The durable state of a founding member of a new cluster: the membership is a snapshot at index 1,
   * term 1, so the log starts at 2 and any node that joins later with an empty log gets a snapshot
   * first (and so learns the membership) instead of replaying from an index it cannot interpret.
   */
  static bootstrap(voters: NodeId[], learners: NodeId[] = []): MemoryStorage {
    const s = new MemoryStorage();
    const conf = { voters: voters.slice(), learners: learners.slice() };
    s.snap = { index: 1, term: 1, conf };
    s.confState = cloneConfState(conf);
    s.hardState = { term: 1, vote: 0, commit: 1 };
    return s;
  }

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: cloneConfState(this.confState) };
  }

  hardStateNow(): HardState {
    return { ...this.hardState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  /** Record the membership as of the applied index (the driver does this when it applies a change). */
  setConfState(cs: ConfState): void {
    this.confState = cloneConfState(cs);
  }

  firstIndex(): number {
    return this.snap.index + 1;
  }

  lastIndex(): number {
    return this.snap.index + this.ents.length;
  }

  term(i: number): number {
    if (i === this.snap.index) return this.snap.term;
    if (i < this.snap.index) throw new CompactedError(i, this.firstIndex());
    const last = this.lastIndex();
    if (i > last) throw new UnavailableError(i, last);
    return this.ents[i - this.snap.index - 1]!.term;
  }

  entries(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    if (lo <= this.snap.index) throw new CompactedError(lo, this.firstIndex());
    const last = this.lastIndex();
    if (hi > last + 1) throw new UnavailableError(hi - 1, last);
    if (lo >= hi) return [];
    const from = lo - this.snap.index - 1;
    const to = hi - this.snap.index - 1;
    if (maxBytes === Infinity) return this.ents.slice(from, to);
    let size = entrySize(this.ents[from]!);
    let end = from + 1;
    while (end < to) {
      size += entrySize(this.ents[end]!);
      if (size > maxBytes) break;
      end++;
    }
    return this.ents.slice(from, end);
  }

  snapshotMeta(): SnapshotMeta {
    return this.snap;
  }

  /** Entries in the store, for tests and checkers (a copy). */
  allEntries(): Entry[] {
    return this.ents.slice();
  }

  /**
   * Append entries from a Ready. An entry whose index is already present replaces it and everything
   * after it (a new leader overwrote an uncommitted suffix). Entries at or below the snapshot are skipped.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = entries[entries.length - 1]!.index;
    if (lastNew < first) return;
    let from = 0;
    if (entries[0]!.index < first) from = first - entries[0]!.index;
    const start = entries[from]!.index;
    const last = this.lastIndex();
    if (start > last + 1) throw new Error(`append leaves a gap: last ${last}, appending from ${start}`);
    const keep = start - first;
    if (keep < this.ents.length) this.ents.length = keep;
    for (let k = from; k < entries.length; k++) this.ents.push(entries[k]!);
  }

  /**
   * Discard entries up to and including `index` (which must be applied), recording that the state
   * machine as of `index` (with membership `conf`) is now the snapshot.
   */
  compact(index: number, conf: ConfState): void {
    if (index <= this.snap.index) return;
    const last = this.lastIndex();
    if (index > last) throw new UnavailableError(index, last);
    const term = this.term(index);
    this.ents = this.ents.slice(index - this.snap.index);
    this.snap = { index, term, conf: cloneConfState(conf) };
  }

  /** Replace the whole log with a snapshot received from the leader (from Ready.snapshot). */
  applySnapshot(meta: SnapshotMeta): void {
    if (meta.index <= this.snap.index) throw new Error(`snapshot ${meta.index} is not newer than ${this.snap.index}`);
    this.snap = { index: meta.index, term: meta.term, conf: cloneConfState(meta.conf) };
    this.ents = [];
    this.confState = cloneConfState(meta.conf);
  }
}
