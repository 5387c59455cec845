// The node's one SQLite database. Durability is chosen on purpose:
// - journal_mode=WAL: readers never block the writer, and a commit is one sequential append.
// - synchronous=FULL: a commit fsyncs the WAL before it returns, so the schema, a vote or an
//   appended entry survives power loss. Under load the Raft driver commits a batch with NORMAL and
//   makes it durable with `syncWal()` (an fdatasync of the WAL in the thread pool) before anyone
//   hears of it, so the event loop keeps parsing requests while the disk works.
// - checkpoints run in a worker thread (checkpointer.ts), not inside a commit.
// - busy_timeout: a snapshot copy or a second connection waits instead of failing at once.
// - a new database is created without per-step fsyncs (see createSchema), then made durable once.
import { Database } from "bun:sqlite";
import { close, fsync, mkdirSync, openSync, statSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations } from "./migrations.ts";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.ts";
import { startCheckpointer } from "./checkpointer.ts";
import { WalSync } from "./wal-sync.ts";

export const DATABASE_FILE = "rnacos.db";

export interface Store {
  db: Database;
  dir: string;
  /** Schema versions applied by this start (empty when the database was current). */
  migrated: number[];
  /**
   * Resolves once a new database's file and directory are on disk (fsyncs in the thread pool, so the
   * start goes on meanwhile); at once for an existing database. Nothing may be acknowledged before.
   */
  durable: Promise<void>;
  /** Makes every committed transaction durable (fdatasync of the WAL in the thread pool). */
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
  let db: Database | undefined;
  try {
    const path = join(dir, DATABASE_FILE);
    const fresh = isEmptyOrMissing(path);
    db = new Database(path, { create: true, strict: true });
    const migrated = fresh ? createSchema(db) : [];
    const durable = fresh ? fsyncPath(path).then(() => fsyncPath(dir)) : Promise.resolve();
    // A failed fsync surfaces where the caller awaits `durable`; never as an unhandled rejection.
    durable.catch(() => {});
    configureDatabase(db);
    if (!fresh) migrated.push(...applyMigrations(db));
    const opened = db;
    const checkpointer = startCheckpointer(opened, path, {
      started: () => log.debug("checkpoints run in a worker thread"),
      fellBack: (reason) => log.warn(`checkpoint worker unavailable (${reason}); checkpoints run on commit`),
    });
    const wal = new WalSync(`${path}-wal`);
    let closed = false;
    return {
      db: opened,
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
        opened.run("PRAGMA wal_checkpoint(TRUNCATE)");
        opened.close();
        lock.release();
      },
    };
  } catch (err) {
    db?.close();
    lock.release();
    throw err;
  }
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
function createSchema(db: Database): number[] {
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = OFF");
  return applyMigrations(db);
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
