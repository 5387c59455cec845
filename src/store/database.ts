// The node's one SQLite database. Durability is chosen on purpose:
// - journal_mode=WAL: readers never block the writer, and a commit is one sequential append.
// - synchronous=FULL: in WAL mode every commit fsyncs the WAL before returning, so a transaction
//   that returned (a Raft entry, a vote) survives power loss. NORMAL would only sync at checkpoints
//   and could lose acknowledged entries; group commit pays for FULL by batching many writes per fsync.
// - busy_timeout: a snapshot copy or a second connection waits instead of failing at once.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations } from "./migrations.ts";
import { lockDataDir, type DataDirLock } from "./data-dir-lock.ts";

export const DATABASE_FILE = "rnacos.db";

export interface Store {
  db: Database;
  dir: string;
  /** Schema versions applied by this start (empty when the database was current). */
  migrated: number[];
  close(): void;
}

export function openStore(dir: string): Store {
  mkdirSync(dir, { recursive: true });
  const lock: DataDirLock = lockDataDir(dir);
  let db: Database | undefined;
  try {
    db = new Database(join(dir, DATABASE_FILE), { create: true, strict: true });
    configureDatabase(db);
    const migrated = applyMigrations(db);
    const opened = db;
    let closed = false;
    return {
      db: opened,
      dir,
      migrated,
      close() {
        if (closed) return;
        closed = true;
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

export function configureDatabase(db: Database): void {
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA temp_store = MEMORY");
}
