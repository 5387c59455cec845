// An exclusive lock on the data directory, so two servers never share one database.
// SQLite's own file lock does the work: a connection in EXCLUSIVE locking mode that has written
// once keeps its lock until it closes, and the OS drops it if the process dies.
import { Database } from "bun:sqlite";
import { join } from "node:path";

export class DataDirLockedError extends Error {}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dir: string): DataDirLock {
  const lockDb = new Database(join(dir, "rnacos.lock"), { create: true });
  try {
    lockDb.run("PRAGMA busy_timeout = 0");
    // The lock file holds nothing worth syncing; skipping fsync keeps start-up fast.
    lockDb.run("PRAGMA synchronous = OFF");
    lockDb.run("PRAGMA journal_mode = MEMORY");
    lockDb.run("PRAGMA locking_mode = EXCLUSIVE");
    lockDb.run("CREATE TABLE IF NOT EXISTS holder (pid INTEGER)");
    lockDb.run("BEGIN EXCLUSIVE");
    lockDb.run("DELETE FROM holder");
    lockDb.run("INSERT INTO holder (pid) VALUES (?)", [process.pid]);
    lockDb.run("COMMIT");
  } catch (err) {
    lockDb.close();
    if (err instanceof Error && /locked|busy/i.test(err.message)) {
      throw new DataDirLockedError(`data dir ${dir} is in use by another rnacos process; stop it or choose another RNACOS_DATA_DIR`);
    }
    throw err;
  }
  return { release: () => lockDb.close() };
}
