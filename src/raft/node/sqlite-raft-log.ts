// The Raft log and hard state in SQLite, with the retained log mirrored in memory: the core reads
// term()/entries() on every replication step, and compaction bounds what is retained, so reads
// never touch the disk. Writes happen inside the driver's per-Ready transaction (the caller opens
// it), so appending entries, the hard state and applying committed entries share one fsync.
import type { Database, Statement } from "bun:sqlite";
import { CompactedError, UnavailableError } from "../core/errors.ts";
import type { InitialState, Storage } from "../core/storage.ts";
import { cloneConfState, entrySize, type ConfState, type Entry, type EntryType, type HardState, type SnapshotMeta } from "../core/types.ts";

const KIND: Record<EntryType, number> = { normal: 0, confChange: 1 };
const TYPE: EntryType[] = ["normal", "confChange"];

interface StateRow {
  term: number;
  vote: number;
  commit_index: number;
  snap_index: number;
  snap_term: number;
  snap_conf: string;
  conf: string;
}

export class SqliteRaftLog implements Storage {
  private hardState: HardState;
  /** Membership as of the applied index. */
  private conf: ConfState;
  private snap: SnapshotMeta;
  /** ents[k] has index snap.index + 1 + k. */
  private ents: Entry[];
  /** The state machine's applied position, which is what a snapshot taken now would hold. */
  private applied = { index: 0, term: 0 };
  private readonly insert: Statement;
  private readonly deleteFrom: Statement;

  constructor(private readonly db: Database) {
    const row = db.query("SELECT * FROM raft_state WHERE id = 1").get() as StateRow;
    this.hardState = { term: row.term, vote: row.vote, commit: row.commit_index };
    this.conf = JSON.parse(row.conf) as ConfState;
    this.snap = { index: row.snap_index, term: row.snap_term, conf: JSON.parse(row.snap_conf) as ConfState };
    const rows = db.query("SELECT idx, term, kind, data FROM raft_log WHERE idx > ? ORDER BY idx").all(this.snap.index) as {
      idx: number;
      term: number;
      kind: number;
      data: Uint8Array;
    }[];
    this.ents = rows.map((r) => ({ index: r.idx, term: r.term, type: TYPE[r.kind]!, data: r.data }));
    for (let k = 0; k < this.ents.length; k++) {
      if (this.ents[k]!.index !== this.snap.index + 1 + k) throw new Error(`raft log has a gap before index ${this.ents[k]!.index}; the data dir is damaged`);
    }
    this.insert = db.prepare("INSERT OR REPLACE INTO raft_log (idx, term, kind, data) VALUES (?, ?, ?, ?)");
    this.deleteFrom = db.prepare("DELETE FROM raft_log WHERE idx >= ?");
  }

  /** True when this node has never been part of a cluster (fresh data dir, no bootstrap, no join yet). */
  get isEmpty(): boolean {
    return this.snap.index === 0 && this.ents.length === 0 && this.hardState.term === 0;
  }

  /** The commit index is written lazily (see setHardState): whatever was applied was committed. */
  initialState(): InitialState {
    const hardState = { ...this.hardState, commit: Math.max(this.hardState.commit, this.applied.index) };
    return { hardState, confState: cloneConfState(this.conf) };
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

  /** A snapshot is the database as of the applied index (the driver copies it when it sends one). */
  snapshotMeta(): SnapshotMeta {
    if (this.applied.index <= this.snap.index) return this.snap;
    return { index: this.applied.index, term: this.applied.term, conf: cloneConfState(this.conf) };
  }

  /** The driver reports every apply, so snapshotMeta() describes the database as it is now. */
  setApplied(applied: { index: number; term: number }): void {
    this.applied = { index: applied.index, term: applied.term };
  }

  hardStateNow(): HardState {
    return { ...this.hardState, commit: Math.max(this.hardState.commit, this.applied.index) };
  }

  confNow(): ConfState {
    return cloneConfState(this.conf);
  }

  // ---- writes: call inside the driver's transaction ----

  /** Appends entries from a Ready; an entry at an existing index replaces it and everything after. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    let from = 0;
    if (entries[0]!.index < first) from = first - entries[0]!.index;
    if (from >= entries.length) return;
    const start = entries[from]!.index;
    const last = this.lastIndex();
    if (start > last + 1) throw new Error(`raft append leaves a gap: last ${last}, appending from ${start}`);
    if (start <= last) this.deleteFrom.run(start);
    for (let k = from; k < entries.length; k++) {
      const e = entries[k]!;
      this.insert.run(e.index, e.term, KIND[e.type], e.data);
    }
    this.ents.length = start - first;
    for (let k = from; k < entries.length; k++) this.ents.push(entries[k]!);
  }

  /**
   * Term and vote must be durable before any message that depends on them; the commit index need not
   * be (Raft treats it as volatile: a restarted node relearns it, and the applied index, kept with the
   * state machine, is a lower bound). So a commit-only change is not written, sparing a page per write.
   */
  setHardState(hs: HardState): void {
    if (hs.term !== this.hardState.term || hs.vote !== this.hardState.vote) {
      this.db.run("UPDATE raft_state SET term = ?, vote = ?, commit_index = ? WHERE id = 1", [hs.term, hs.vote, hs.commit]);
    }
    this.hardState = { ...hs };
  }

  /** Records the membership as of the applied index (when a confChange entry is applied). */
  setConf(conf: ConfState): void {
    this.db.run("UPDATE raft_state SET conf = ? WHERE id = 1", [JSON.stringify(conf)]);
    this.conf = cloneConfState(conf);
  }

  /** Drops entries up to `index` (applied); the state machine as of `index` becomes the snapshot point. */
  compact(index: number, conf: ConfState): number {
    if (index <= this.snap.index) return 0;
    const last = this.lastIndex();
    if (index > last) throw new UnavailableError(index, last);
    const term = this.term(index);
    this.db.run("DELETE FROM raft_log WHERE idx <= ?", [index]);
    this.db.run("UPDATE raft_state SET snap_index = ?, snap_term = ?, snap_conf = ? WHERE id = 1", [index, term, JSON.stringify(conf)]);
    const dropped = index - this.snap.index;
    this.ents = this.ents.slice(dropped);
    this.snap = { index, term, conf: cloneConfState(conf) };
    return dropped;
  }

  /** Replaces the whole log with an installed snapshot. */
  applySnapshot(meta: SnapshotMeta): void {
    this.db.run("DELETE FROM raft_log");
    this.db.run("UPDATE raft_state SET snap_index = ?, snap_term = ?, snap_conf = ?, conf = ? WHERE id = 1", [
      meta.index,
      meta.term,
      JSON.stringify(meta.conf),
      JSON.stringify(meta.conf),
    ]);
    this.snap = { index: meta.index, term: meta.term, conf: cloneConfState(meta.conf) };
    this.ents = [];
    this.conf = cloneConfState(meta.conf);
  }

  /** A founding member: the membership is a snapshot at index 1, term 1, so the log starts at 2. */
  bootstrap(conf: ConfState): void {
    if (!this.isEmpty) throw new Error("refusing to bootstrap a node that already has Raft state");
    this.applySnapshot({ index: 1, term: 1, conf });
    this.setHardState({ term: 1, vote: 0, commit: 1 });
  }
}
