// The Raft log and hard state in SQLite (raft.db). The retained log is also held in memory (the core's
// MemoryStorage, which this extends): the core reads term()/entries() on every replication step,
// compaction bounds what is retained, so reads never touch the disk. Every change is written
// through to SQLite inside the driver's per-Ready transaction (the caller opens it), so the entries
// and hard state of a Ready share one fsync. The membership as of the applied index belongs to the
// state (rnacos.db, sm_applied.conf): it must commit with the applied index.
//
// The log on disk is two tables, segments: entries are appended to the active one. A compaction
// empties the other one whole when all of it may go (SQLite drops a table's pages without visiting
// rows) and makes it the active one; a DELETE of a range visits every row, measured at ~0.5 µs an
// entry, a sixth of the log's write cost. So the disk may keep entries at or below the snapshot
// point until their segment goes; loading skips them.
import type { Database, Statement } from "bun:sqlite";
import { MemoryStorage } from "../core/memory-storage.ts";
import { RAFT_LOG_SEGMENTS as SEGMENTS, type RaftStateRow } from "../../store/migrations.ts";
import type { InitialState } from "../core/storage.ts";
import type { ConfState, Entry, EntryType, HardState, SnapshotMeta } from "../core/types.ts";

const KIND: Record<EntryType, number> = { normal: 0, confChange: 1 };
const TYPE: EntryType[] = ["normal", "confChange"];

export class SqliteRaftLog extends MemoryStorage {
  /** The state machine's applied position, which is what a snapshot taken now would hold. */
  private applied = { index: 0, term: 0 };
  /** Which segment new entries go to. */
  private active: 0 | 1 = 0;
  /** The largest index the other segment holds (0 when empty): it may be emptied once compaction passes it. */
  private otherMax = 0;
  private readonly insert: [Statement, Statement];
  private readonly writeConf: Statement;

  constructor(
    private readonly db: Database,
    private readonly stateDb: Database,
  ) {
    super();
    const row = db.query("SELECT * FROM raft_state WHERE id = 1").get() as RaftStateRow;
    const applied = stateDb.query("SELECT applied_index AS i, applied_term AS t, conf FROM sm_applied WHERE id = 1").get() as { i: number; t: number; conf: string };
    if (applied.i < row.snap_index) {
      throw new Error(`raft.db starts at index ${row.snap_index} but rnacos.db was applied only to ${applied.i}; restore both files of the data dir together`);
    }
    if (row.snap_index > 0) super.applySnapshot({ index: row.snap_index, term: row.snap_term, conf: JSON.parse(row.snap_conf) as ConfState });
    const conf = JSON.parse(applied.conf) as ConfState;
    super.setConfState(conf);
    super.setHardState({ term: row.term, vote: row.vote, commit: row.commit_index });
    const [max0, max1] = SEGMENTS.map((t) => (db.query(`SELECT coalesce(max(idx), 0) AS m FROM ${t}`).get() as { m: number }).m);
    this.active = max1! > max0! ? 1 : 0;
    this.otherMax = this.active === 1 ? max0! : max1!;
    const rows = db
      .query(`SELECT idx, term, kind, data FROM ${SEGMENTS[0]} WHERE idx > ?1 UNION ALL SELECT idx, term, kind, data FROM ${SEGMENTS[1]} WHERE idx > ?1 ORDER BY idx`)
      .all(row.snap_index) as {
      idx: number;
      term: number;
      kind: number;
      data: Uint8Array;
    }[];
    rows.forEach((r, k) => {
      if (r.idx !== row.snap_index + 1 + k) throw new Error(`raft log has a gap before index ${r.idx}; the data dir is damaged`);
    });
    super.append(rows.map((r) => ({ index: r.idx, term: r.term, type: TYPE[r.kind]!, data: r.data })));
    const insertInto = (table: string) => db.prepare(`INSERT OR REPLACE INTO ${table} (idx, term, kind, data) VALUES (?, ?, ?, ?)`);
    this.insert = [insertInto(SEGMENTS[0]), insertInto(SEGMENTS[1])];
    this.writeConf = stateDb.prepare("UPDATE sm_applied SET conf = ? WHERE id = 1");
    // The state is ahead of the log only when a start stopped between writing the two files (a
    // snapshot install or the founding of a cluster write the state first): the state then is the
    // snapshot, and the log resumes from it.
    if (applied.i > row.snap_index && this.termOrZero(applied.i) !== applied.t) {
      db.transaction(() => this.applySnapshot({ index: applied.i, term: applied.t, conf })).immediate();
    }
  }

  /** The entry's term, or 0 when the log does not hold it. */
  private termOrZero(index: number): number {
    try {
      return this.term(index);
    } catch {
      return 0;
    }
  }

  /** True when this node has never been part of a cluster (fresh data dir, no bootstrap, no join yet). */
  get isEmpty(): boolean {
    return super.snapshotMeta().index === 0 && this.lastIndex() === 0 && super.hardStateNow().term === 0;
  }

  /** The commit index is written lazily (see setHardState): whatever was applied was committed. */
  override initialState(): InitialState {
    const s = super.initialState();
    s.hardState.commit = Math.max(s.hardState.commit, this.applied.index);
    return s;
  }

  override hardStateNow(): HardState {
    const hs = super.hardStateNow();
    return { ...hs, commit: Math.max(hs.commit, this.applied.index) };
  }

  confNow(): ConfState {
    return super.initialState().confState;
  }

  /** A snapshot is the database as of the applied index (the driver copies it when it sends one). */
  override snapshotMeta(): SnapshotMeta {
    const snap = super.snapshotMeta();
    if (this.applied.index <= snap.index) return snap;
    return { index: this.applied.index, term: this.applied.term, conf: this.confNow() };
  }

  /** The driver reports every apply, so snapshotMeta() describes the database as it is now. */
  setApplied(applied: { index: number; term: number }): void {
    this.applied = { index: applied.index, term: applied.term };
  }

  // ---- writes: call inside the driver's transaction ----

  /** Appends entries from a Ready; an entry at an existing index replaces it and everything after. */
  override append(entries: readonly Entry[]): void {
    const first = this.firstIndex();
    const fresh = entries.filter((e) => e.index >= first);
    if (fresh.length === 0) return;
    if (fresh[0]!.index <= this.lastIndex()) this.truncateFrom(fresh[0]!.index);
    const insert = this.insert[this.active];
    for (const e of fresh) insert.run(e.index, e.term, KIND[e.type], e.data);
    super.append(fresh);
  }

  /** A new leader overwrote entries from `index` on: they go from both segments. */
  private truncateFrom(index: number): void {
    for (const t of SEGMENTS) this.db.run(`DELETE FROM ${t} WHERE idx >= ?`, [index]);
    this.otherMax = Math.min(this.otherMax, index - 1);
  }

  /**
   * Term and vote must be durable before any message that depends on them; the commit index need not
   * be (Raft treats it as volatile: a restarted node relearns it, and the applied index, kept with the
   * state machine, is a lower bound). So a commit-only change is not written, sparing a page per write.
   */
  override setHardState(hs: HardState): void {
    const cur = super.hardStateNow();
    if (hs.term !== cur.term || hs.vote !== cur.vote) {
      this.db.run("UPDATE raft_state SET term = ?, vote = ?, commit_index = ? WHERE id = 1", [hs.term, hs.vote, hs.commit]);
    }
    super.setHardState(hs);
  }

  /** Records the membership as of the applied index (when a confChange entry is applied: call inside the state's transaction). */
  setConf(conf: ConfState): void {
    this.writeConf.run(JSON.stringify(conf));
    super.setConfState(conf);
  }

  /** Drops entries up to `index` (applied); the state machine as of `index` becomes the snapshot point. Returns how many. */
  compactTo(index: number, conf: ConfState): number {
    const before = super.snapshotMeta().index;
    if (index <= before) return 0;
    const term = this.term(index);
    const other = SEGMENTS[1 - this.active]!;
    if (this.otherMax <= index) {
      this.db.run(`DELETE FROM ${other}`);
      this.active = this.active === 0 ? 1 : 0;
      this.otherMax = this.lastIndex();
    } else {
      this.db.run(`DELETE FROM ${other} WHERE idx <= ?`, [index]);
    }
    this.db.run("UPDATE raft_state SET snap_index = ?, snap_term = ?, snap_conf = ? WHERE id = 1", [index, term, JSON.stringify(conf)]);
    super.compact(index, conf);
    return index - before;
  }

  /** Replaces the whole log with an installed snapshot (whose state, membership included, is already in rnacos.db). */
  override applySnapshot(meta: SnapshotMeta): void {
    for (const t of SEGMENTS) this.db.run(`DELETE FROM ${t}`);
    this.active = 0;
    this.otherMax = 0;
    this.db.run("UPDATE raft_state SET snap_index = ?, snap_term = ?, snap_conf = ? WHERE id = 1", [meta.index, meta.term, JSON.stringify(meta.conf)]);
    super.applySnapshot(meta);
  }

  /**
   * A founding member: the membership is a snapshot at index 1, term 1, so the log starts at 2. The
   * caller has written the state's side (membership, applied index 1) and made it durable first.
   */
  bootstrapCluster(conf: ConfState): void {
    if (!this.isEmpty) throw new Error("refusing to bootstrap a node that already has Raft state");
    this.applySnapshot({ index: 1, term: 1, conf });
    this.setHardState({ term: 1, vote: 0, commit: 1 });
  }
}
