// Snapshots are the database itself: `VACUUM INTO` writes a consistent copy as of the applied
// index; the follower attaches the copy and replaces its replicated tables in one transaction.
// The Raft log and hard state are never taken from a snapshot (term and vote must not go back).
import type { Database } from "bun:sqlite";
import { Database as SqliteDatabase } from "bun:sqlite";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

export function snapshotDir(dataDir: string): string {
  const dir = join(dataDir, "snapshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes snapshot files left by an earlier run (sends or receives cut short by a crash). */
export function clearSnapshotDir(dataDir: string): void {
  const dir = snapshotDir(dataDir);
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
}

let sequence = 0;

export function newSnapshotPath(dataDir: string, label: string): string {
  return join(snapshotDir(dataDir), `${label}-${Date.now()}-${process.pid}-${++sequence}.db`);
}

/** Writes a copy of the whole database to `file` (a point in time: nothing applies while it runs). */
export function writeSnapshot(db: Database, file: string): void {
  db.run("VACUUM INTO ?", [file]);
}

export interface SnapshotPosition {
  index: number;
  term: number;
  schemaVersion: number;
}

export function readSnapshotPosition(file: string): SnapshotPosition {
  const snap = new SqliteDatabase(file, { readonly: true });
  try {
    const applied = snap.query("SELECT applied_index AS i, applied_term AS t FROM sm_applied WHERE id = 1").get() as { i: number; t: number };
    const schema = snap.query("SELECT max(version) AS v FROM schema_version").get() as { v: number };
    return { index: applied.i, term: applied.t, schemaVersion: schema.v };
  } finally {
    snap.close();
  }
}

/** Runs `fn` with the snapshot attached as schema "snap" (SQLite refuses ATTACH inside a transaction). */
export function withAttachedSnapshot<T>(db: Database, file: string, fn: () => T): T {
  db.run("ATTACH DATABASE ? AS snap", [file]);
  try {
    return fn();
  } finally {
    db.run("DETACH DATABASE snap");
  }
}

/**
 * Replaces every replicated table with the attached snapshot's rows. Call inside the caller's
 * transaction (with the log reset and the applied index set), so a crash leaves either the old or
 * the new state, never a mix.
 */
export function copyReplicatedTables(db: Database, tables: string[]): void {
  // Every version, not the largest: domains own version ranges, so a build can add 12 while 21 stays the
  // largest, and rows are copied column by column (SELECT *).
  const versions = (schema: string) =>
    (db.query(`SELECT group_concat(version, ',') AS v FROM (SELECT version FROM ${schema}.schema_version ORDER BY version)`).get() as { v: string }).v;
  const ours = versions("main");
  const theirs = versions("snap");
  if (ours !== theirs) throw new Error(`snapshot schema versions (${theirs}) differ from ours (${ours}); run the same rnacos version on every node`);
  for (const table of tables) {
    db.run(`DELETE FROM main."${table}"`);
    db.run(`INSERT INTO main."${table}" SELECT * FROM snap."${table}"`);
  }
}
