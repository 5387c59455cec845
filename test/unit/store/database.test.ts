// openStore on a new data dir (the fast path) and on an existing one.
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE, openStore, RAFT_LOG_FILE } from "../../../src/store/database.ts";
import { SqliteRaftLog } from "../../../src/raft/node/sqlite-raft-log.ts";
import { applyMigrations, hasTable, MIGRATIONS } from "../../../src/store/migrations.ts";
import { tempDir } from "../../helpers/server.ts";

const ALL = MIGRATIONS.map((m) => m.version);

function settings(db: Database) {
  return {
    journal: (db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    synchronous: (db.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous,
    foreignKeys: (db.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys,
  };
}

test("a new data dir gets every migration, WAL, the state at synchronous=NORMAL and the Raft log at FULL, and keeps them after a reopen", async () => {
  const dir = join(tempDir("store-"), "data");
  const first = openStore(dir);
  await first.durable;
  expect(first.migrated).toEqual(ALL);
  expect(settings(first.db)).toEqual({ journal: "wal", synchronous: 1, foreignKeys: 1 });
  expect(settings(first.raftDb)).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1 });
  expect(hasTable(first.db, "raft_log")).toBe(false);
  expect(hasTable(first.raftDb, "raft_log_0")).toBe(true);
  first.db.run("UPDATE sm_applied SET applied_index = 7 WHERE id = 1");
  first.raftDb.run("UPDATE raft_state SET term = 3 WHERE id = 1");
  first.close();

  const second = openStore(dir);
  await second.durable;
  expect(second.migrated).toEqual([]);
  expect(settings(second.db)).toEqual({ journal: "wal", synchronous: 1, foreignKeys: 1 });
  expect(settings(second.raftDb)).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1 });
  expect(second.db.query("SELECT applied_index FROM sm_applied").get()).toEqual({ applied_index: 7 });
  expect(second.raftDb.query("SELECT term FROM raft_state").get()).toEqual({ term: 3 });
  second.close();
});

test("a data dir from before raft.db: its log and hard state move to raft.db, the membership to sm_applied", () => {
  const dir = join(tempDir("store-"), "data");
  mkdirSync(dir, { recursive: true });
  const old = new Database(join(dir, DATABASE_FILE), { create: true, strict: true });
  old.run("PRAGMA journal_mode = WAL");
  applyMigrations(old, MIGRATIONS.filter((m) => m.version !== 4));
  const conf = '{"voters":[1,2],"learners":[3]}';
  old.run("UPDATE raft_state SET term = 4, vote = 2, commit_index = 9, snap_index = 5, snap_term = 3, snap_conf = ?, conf = ? WHERE id = 1", ['{"voters":[1],"learners":[]}', conf]);
  for (let i = 6; i <= 9; i++) old.run("INSERT INTO raft_log (idx, term, kind, data) VALUES (?, 4, 0, ?)", [i, new Uint8Array([i])]);
  old.run("UPDATE sm_applied SET applied_index = 8, applied_term = 4 WHERE id = 1");
  old.close();

  const store = openStore(dir);
  expect(store.migrated).toEqual([4]);
  expect(hasTable(store.db, "raft_log") || hasTable(store.db, "raft_state")).toBe(false);
  expect(store.db.query("SELECT applied_index, conf FROM sm_applied").get()).toEqual({ applied_index: 8, conf });
  expect(store.raftDb.query("SELECT term, vote, commit_index, snap_index, snap_term, snap_conf FROM raft_state").get()).toEqual({
    term: 4,
    vote: 2,
    commit_index: 9,
    snap_index: 5,
    snap_term: 3,
    snap_conf: '{"voters":[1],"learners":[]}',
  });
  expect(store.raftDb.query("SELECT idx, data FROM raft_log_0 ORDER BY idx").all()).toEqual([6, 7, 8, 9].map((i) => ({ idx: i, data: new Uint8Array([i]) })));
  store.close();
});

test("a raft.db from before the log segments: its log becomes the first segment and loads as before", () => {
  const dir = join(tempDir("store-"), "data");
  const first = openStore(dir);
  first.db.run("UPDATE sm_applied SET applied_index = 3, applied_term = 2 WHERE id = 1");
  first.close();
  const raft = new Database(join(dir, RAFT_LOG_FILE), { strict: true });
  raft.run("DROP TABLE raft_log_1; ALTER TABLE raft_log_0 RENAME TO raft_log; DELETE FROM schema_version WHERE version = 2");
  for (let i = 2; i <= 5; i++) raft.run("INSERT INTO raft_log (idx, term, kind, data) VALUES (?, 2, 0, ?)", [i, new Uint8Array([i])]);
  raft.run("UPDATE raft_state SET term = 2, snap_index = 1, snap_term = 1 WHERE id = 1");
  raft.close();

  const store = openStore(dir);
  expect(hasTable(store.raftDb, "raft_log")).toBe(false);
  expect(store.raftDb.query("SELECT idx FROM raft_log_0 ORDER BY idx").all()).toEqual([2, 3, 4, 5].map((idx) => ({ idx })));
  const log = new SqliteRaftLog(store.raftDb, store.db);
  expect([log.firstIndex(), log.lastIndex(), log.term(5)]).toEqual([2, 5, 2]);
  store.close();
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
