// The node's two SQLite databases, in one data dir:
// - rnacos.db, the state: every replicated table (configs, namespaces, users, members...) with the
//   applied index. synchronous=NORMAL: its commits need no fsync of their own, because the Raft log
//   holds every applied entry until the state is made durable (a checkpoint, or the state machine's
//   durable flush before the log is compacted); a crash loses only what the log replays.
// - raft.db, the Raft log and hard state: synchronous=FULL, a commit fsyncs the WAL before it returns,
//   so a vote or an appended entry survives power loss. Under load the Raft driver commits a batch
//   with NORMAL and makes it durable with `syncWal()` (an fdatasync of the WAL in the thread pool)
//   before anyone hears of it, so the event loop keeps parsing requests while the disk works.
// Two files because their commits differ in kind: the log must be durable at every batch, the state
// need not, and one file would write every page the state dirtied at every log commit.
// Both: journal_mode=WAL (readers never block the writer, a commit is one sequential append);
// checkpoints in a worker thread (checkpointer.ts), not inside a commit; busy_timeout, so a snapshot
// copy or a second connection waits instead of failing at once; a new database is created without
// per-step fsyncs (see createSchema), then made durable once.
import { Database } from "bun:sqlite";
import { close, closeSync, fsync, fsyncSync, mkdirSync, openSync, statSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations, hasTable, RAFT_LOG_MIGRATIONS, RAFT_LOG_SEGMENTS, type Migration, type RaftStateRow } from "./migrations.ts";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.ts";
import { startCheckpointer } from "./checkpointer.ts";
import { WalSync } from "./wal-sync.ts";

export const DATABASE_FILE = "rnacos.db";
export const RAFT_LOG_FILE = "raft.db";

export interface Store {
  /** The state: replicated tables and the applied index. */
  db: Database;
  /** The Raft log and hard state. */
  raftDb: Database;
  dir: string;
  /** Schema versions applied by this start (empty when the database was current). */
  migrated: number[];
  /**
   * Resolves once a new database's file and directory are on disk (fsyncs in the thread pool, so the
   * start goes on meanwhile); at once for an existing database. Nothing may be acknowledged before.
   */
  durable: Promise<void>;
  /** Makes every committed Raft log transaction durable (fdatasync of raft.db's WAL in the thread pool). */
  syncWal(): Promise<void>;
  /** The writer reports how many writes it committed, so checkpoints keep pace with them. */
  wrote(writes: number): void;
  close(): void;
}

export interface StoreLog {
  debug(message: string): void;
  /** Degraded operation (checkpoints back on the commit path). */
  warn(message: string): void;
}

const quiet: StoreLog = { debug() {}, warn() {} };

export function openStore(dir: string, log: StoreLog = quiet): Store {
  mkdirSync(dir, { recursive: true });
  const lock: DataDirLock = lockDataDir(dir);
  const opened: Database[] = [];
  try {
    const state = openDatabase(join(dir, DATABASE_FILE), opened);
    const raft = openDatabase(join(dir, RAFT_LOG_FILE), opened, RAFT_LOG_MIGRATIONS);
    // Before the migration that drops them from rnacos.db: an older data dir's log moves to raft.db.
    if (!state.fresh && hasTable(state.db, "raft_state")) {
      moveRaftLog(state.db, raft.db);
      // raft.db must be on disk, file and name, before rnacos.db forgets the log.
      for (const path of [raft.path, dir]) fsyncPathSync(path);
    }
    const migrated = [...state.migrated, ...(state.fresh ? [] : applyMigrations(state.db))];
    state.db.run("PRAGMA synchronous = NORMAL");
    const durable = Promise.all([state.durable, raft.durable]).then(() => (state.fresh || raft.fresh ? fsyncPath(dir) : undefined));
    // A failed fsync surfaces where the caller awaits `durable`; never as an unhandled rejection.
    durable.catch(() => {});
    const checkpointer = startCheckpointer(
      [
        { db: state.db, path: state.path },
        { db: raft.db, path: raft.path },
      ],
      {
        started: () => log.debug("checkpoints run in a worker thread"),
        fellBack: (reason) => log.warn(`checkpoint worker unavailable (${reason}); checkpoints run on commit`),
      },
    );
    const wal = new WalSync(`${raft.path}-wal`);
    let closed = false;
    return {
      db: state.db,
      raftDb: raft.db,
      dir,
      migrated,
      durable,
      syncWal: () => wal.sync(),
      wrote: (writes) => checkpointer.wrote(writes),
      close() {
        if (closed) return;
        closed = true;
        checkpointer.stop();
        wal.close();
        for (const db of [state.db, raft.db]) {
          db.run("PRAGMA wal_checkpoint(TRUNCATE)");
          db.close();
        }
        lock.release();
      },
    };
  } catch (err) {
    for (const db of opened) db.close();
    lock.release();
    throw err;
  }
}

interface OpenedDatabase {
  db: Database;
  path: string;
  fresh: boolean;
  /** Versions a new database was created with; an existing one is migrated by the caller. */
  migrated: number[];
  /** A new database's file on disk; at once for an existing one. */
  durable: Promise<void>;
}

function openDatabase(path: string, opened: Database[], migrations?: Migration[]): OpenedDatabase {
  const fresh = isEmptyOrMissing(path);
  const db = new Database(path, { create: true, strict: true });
  opened.push(db);
  const migrated = fresh ? createSchema(db, migrations) : [];
  configureDatabase(db);
  if (!fresh && migrations) applyMigrations(db, migrations);
  const durable = fresh ? fsyncPath(path) : Promise.resolve();
  durable.catch(() => {});
  return { db, path, fresh, migrated, durable };
}

/**
 * Copies the Raft log and hard state of a data dir from before raft.db into it, replacing what it
 * holds (a start cut short after this copy repeats it), durably, before rnacos.db drops them.
 */
function moveRaftLog(state: Database, raft: Database): void {
  const rows = state.query("SELECT idx, term, kind, data FROM raft_log ORDER BY idx").all() as { idx: number; term: number; kind: number; data: Uint8Array }[];
  const hs = state.query("SELECT term, vote, commit_index, snap_index, snap_term, snap_conf FROM raft_state WHERE id = 1").get() as RaftStateRow;
  raft.transaction(() => {
    for (const table of RAFT_LOG_SEGMENTS) raft.run(`DELETE FROM ${table}`);
    const insert = raft.query(`INSERT INTO ${RAFT_LOG_SEGMENTS[0]} (idx, term, kind, data) VALUES (?, ?, ?, ?)`);
    for (const r of rows) insert.run(r.idx, r.term, r.kind, r.data);
    raft.run("UPDATE raft_state SET term = ?, vote = ?, commit_index = ?, snap_index = ?, snap_term = ?, snap_conf = ? WHERE id = 1", [
      hs.term,
      hs.vote,
      hs.commit_index,
      hs.snap_index,
      hs.snap_term,
      hs.snap_conf,
    ]);
  }).immediate();
}

function isEmptyOrMissing(path: string): boolean {
  try {
    return statSync(path).size === 0;
  } catch {
    return true;
  }
}

/**
 * A new database: applying every migration with synchronous=FULL costs several fsyncs (~2-3 ms of a
 * ~25 ms start). The switch to WAL keeps FULL: it rewrites the file's first page through the rollback
 * journal, and only a synced journal makes that rewrite safe from a torn page on power loss. The
 * migrations then run unsynced; openStore fsyncs the database file and the directory once, in the
 * thread pool (Store.durable), and the server waits for that before any port listens. The WAL frames
 * of the schema become durable with the first synced commit (Raft's bootstrap or first entry, or
 * syncWal): an fsync covers every frame written before it, so nothing can be acknowledged before the
 * schema is durable. A power loss before that leaves a database whose WAL lacks the schema
 * transaction, which the next start migrates like any older database.
 */
function createSchema(db: Database, migrations?: Migration[]): number[] {
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = OFF");
  return applyMigrations(db, migrations);
}

function fsyncPathSync(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncPath(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      reject(err);
      return;
    }
    fsync(fd, (syncErr) => close(fd, () => (syncErr ? reject(syncErr) : resolve())));
  });
}

export function configureDatabase(db: Database): void {
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA temp_store = MEMORY");
}
