// openStore on a new data dir (the fast path) and on an existing one.
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE, openStore } from "../../../src/store/database.ts";
import { MIGRATIONS } from "../../../src/store/migrations.ts";
import { tempDir } from "../../helpers/server.ts";

const ALL = MIGRATIONS.map((m) => m.version);

function settings(db: Database) {
  return {
    journal: (db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    synchronous: (db.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous,
    foreignKeys: (db.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys,
  };
}

test("a new database gets every migration, WAL and synchronous=FULL, and keeps them after a reopen", async () => {
  const dir = join(tempDir("store-"), "data");
  const first = openStore(dir);
  await first.durable;
  expect(first.migrated).toEqual(ALL);
  expect(settings(first.db)).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1 });
  first.db.run("UPDATE sm_applied SET applied_index = 7 WHERE id = 1");
  first.close();

  const second = openStore(dir);
  await second.durable;
  expect(second.migrated).toEqual([]);
  expect(settings(second.db)).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1 });
  expect(second.db.query("SELECT applied_index FROM sm_applied").get()).toEqual({ applied_index: 7 });
  second.close();
});

test("an empty database file left by an interrupted first start is created like a new one", () => {
  const dir = join(tempDir("store-"), "data");
  openStore(dir).close();
  writeFileSync(join(dir, DATABASE_FILE), "");
  const store = openStore(dir);
  expect(store.migrated).toEqual(ALL);
  expect(settings(store.db).journal).toBe("wal");
  store.close();
});
