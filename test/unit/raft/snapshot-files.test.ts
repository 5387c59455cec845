import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, MIGRATIONS } from "../../../src/store/migrations.ts";
import { copyReplicatedTables, withAttachedSnapshot, writeSnapshot } from "../../../src/raft/node/snapshot-files.ts";

function install(from: Database, into: Database): void {
  const dir = mkdtempSync(join(tmpdir(), "rnacos-snapshot-files-"));
  try {
    const file = join(dir, "snap.db");
    writeSnapshot(from, file);
    withAttachedSnapshot(into, file, () => into.transaction(() => copyReplicatedTables(into, ["config_info"])).immediate());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a snapshot is refused when its schema lacks a version ours has, even below the largest", () => {
  const older = new Database(":memory:");
  applyMigrations(older, MIGRATIONS.filter((m) => m.version !== 12));
  const ours = new Database(":memory:");
  applyMigrations(ours);
  expect(() => install(older, ours)).toThrow(/snapshot schema versions \(.*\b11,13\b.*\) differ from ours \(.*\b11,12,13\b.*\)/);
  const same = new Database(":memory:");
  applyMigrations(same);
  expect(() => install(same, ours)).not.toThrow();
});
