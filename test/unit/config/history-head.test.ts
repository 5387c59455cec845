// Where a key's history head lives (its config_info row while the config exists, else
// config_history_head) as configs are created, updated, removed and created again, with gray rows,
// trimming, migrations 12 and 13 and a snapshot install; see src/config/store/history-table.ts.
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, MIGRATIONS } from "../../../src/store/migrations.ts";
import { copyReplicatedTables, withAttachedSnapshot, writeSnapshot } from "../../../src/raft/node/snapshot-files.ts";
import { IMPORT_CONFIGS, type ImportPayload } from "../../../src/config/commands/import-configs.ts";
import { CONFIG_TABLES } from "../../../src/config/store/config-tables.ts";
import { HISTORY_RETENTION_MS } from "../../../src/config/store/history-table.ts";
import { md5Hex } from "../../../src/config/model/md5.ts";
import type { ConfigKey } from "../../../src/config/model/config-key.ts";
import { LOCAL, makeHarness, type Harness } from "./harness.ts";

const K: ConfigKey = { namespace: "", group: "G", dataId: "app.yaml" };
const DAY = 24 * 3600 * 1000;
const KEY_WHERE = "namespace = ? AND group_name = ? AND data_id = ?";
const args = (k: ConfigKey) => [k.namespace, k.group, k.dataId] as const;

interface Head {
  last: number;
  count: number;
}

function headsOf(db: Database, key: ConfigKey): { onConfig: Head | null; detached: Head | null } {
  return {
    onConfig: db.query(`SELECT history_last_nid AS last, history_count AS count FROM config_info WHERE ${KEY_WHERE}`).get(...args(key)) as Head | null,
    detached: db.query(`SELECT last_nid AS last, row_count AS count FROM config_history_head WHERE ${KEY_WHERE}`).get(...args(key)) as Head | null,
  };
}

/**
 * The key's head is in one place at most, its chain reaches every row the key has, newest first, and its
 * count is their number. Returns the chain's nids.
 */
function checkChain(db: Database, key: ConfigKey): number[] {
  const { onConfig, detached } = headsOf(db, key);
  expect(onConfig !== null && detached !== null).toBe(false);
  const head = onConfig ?? detached;
  const stored = (db.query(`SELECT nid FROM config_history WHERE ${KEY_WHERE} ORDER BY nid DESC`).all(...args(key)) as { nid: number }[]).map((r) => r.nid);
  const chain: number[] = [];
  for (let at = head?.last ?? 0; at > 0; ) {
    const row = db.query("SELECT prev_nid FROM config_history WHERE nid = ?").get(at) as { prev_nid: number } | null;
    if (!row) break;
    chain.push(at);
    at = row.prev_nid;
  }
  expect(chain).toEqual(stored);
  expect(head?.count ?? 0).toBe(stored.length);
  return chain;
}

const publish = (h: Harness, key: ConfigKey, content: string, extra: Record<string, string> = {}) =>
  h.module.api.configs.publish({ ...key, content, ...LOCAL, ...extra });
const remove = (h: Harness, key: ConfigKey) => h.module.api.configs.remove(key.namespace, key.group, key.dataId, LOCAL);
const historyOf = (h: Harness, key: ConfigKey) => h.module.api.history.list(key.namespace, key.group, key.dataId, 1, 500);

describe("the head follows the config row", () => {
  test("publish, update, remove, create again, update: one continuous chain with an exact count", async () => {
    const h = makeHarness();
    await publish(h, K, "v1");
    await publish(h, K, "v2");
    expect(headsOf(h.db, K)).toMatchObject({ onConfig: { count: 2 }, detached: null });
    await remove(h, K);
    expect(headsOf(h.db, K)).toMatchObject({ onConfig: null, detached: { count: 3 } });
    checkChain(h.db, K);
    await publish(h, K, "v3");
    expect(headsOf(h.db, K)).toMatchObject({ onConfig: { count: 4 }, detached: null });
    await publish(h, K, "v4");
    checkChain(h.db, K);
    const page = historyOf(h, K);
    expect(page.totalCount).toBe(5);
    expect(page.pageItems.map((r) => [r.opType, r.content])).toEqual([
      ["U", "v3"],
      ["I", "v3"],
      ["D", "v2"],
      ["U", "v1"],
      ["I", "v1"],
    ]);
    // The re-created config has a new id; "previous" still finds each id's newest row.
    const ids = [...new Set(page.pageItems.map((r) => r.configId))];
    expect(ids.length).toBe(2);
    expect(h.module.api.history.previous("", K.group, K.dataId, ids[1]!)?.opType).toBe("D");
  });

  test("gray rows share the key's chain wherever its head is, a gray-only key included", async () => {
    const h = makeHarness();
    // Gray before any formal version: the head is detached.
    await publish(h, K, "beta1", { betaIps: "10.0.0.7" });
    expect(headsOf(h.db, K)).toMatchObject({ onConfig: null, detached: { count: 1 } });
    await publish(h, K, "f1");
    expect(headsOf(h.db, K)).toMatchObject({ onConfig: { count: 2 }, detached: null });
    await publish(h, K, "canary", { tag: "canary" });
    await publish(h, K, "f2");
    await h.module.api.configs.stopBeta("", K.group, K.dataId, LOCAL);
    await publish(h, K, "beta2", { betaIps: "10.0.0.7" });
    await h.module.api.configs.promoteBeta("", K.group, K.dataId, LOCAL);
    checkChain(h.db, K);
    // Removal writes the tag's D row and the formal D row, then the head moves out.
    await remove(h, K);
    checkChain(h.db, K);
    expect(headsOf(h.db, K).onConfig).toBeNull();
    await publish(h, K, "beta3", { betaIps: "10.0.0.7" });
    await publish(h, K, "f3");
    const nids = checkChain(h.db, K);
    const page = historyOf(h, K);
    expect(page.totalCount).toBe(nids.length);
    expect(page.pageItems.map((r) => `${r.publishType}:${r.grayName}:${r.opType}:${r.content}`)).toEqual([
      "formal::I:f3",
      "gray:beta:I:beta3",
      "formal::D:beta2",
      "gray:tag_canary:D:canary",
      "gray:beta:D:beta2",
      "formal::U:f2",
      "gray:beta:I:beta2",
      "gray:beta:D:beta1",
      "formal::U:f1",
      "gray:tag_canary:I:canary",
      "formal::I:f1",
      "gray:beta:I:beta1",
    ]);
  });

  test("batch remove by id and import (create, overwrite) keep every chain", async () => {
    const h = makeHarness();
    const keys = ["a", "b", "c"].map((dataId) => ({ ...K, dataId }));
    for (const k of keys) await publish(h, k, `${k.dataId}1`);
    const ids = keys.slice(0, 2).map((k) => h.module.api.configs.detail("", k.group, k.dataId)!.id);
    expect(await h.module.api.configs.removeByIds(ids, LOCAL)).toBe(2);
    const items = keys.map((k) => ({ group: k.group, dataId: k.dataId, content: `${k.dataId}2`, md5: md5Hex(`${k.dataId}2`), type: "yaml", desc: "", appName: "", configTags: "" }));
    await h.ctx.proposer.propose<unknown>(IMPORT_CONFIGS, { namespace: "", items, policy: "OVERWRITE", at: h.clock.now, ...LOCAL, srcUser: "" } satisfies ImportPayload);
    for (const k of keys) {
      expect(checkChain(h.db, k).length).toBe(k.dataId === "c" ? 2 : 3);
      expect(headsOf(h.db, k).detached).toBeNull();
    }
    expect(h.db.query("SELECT count(*) AS n FROM config_history_head").get()).toEqual({ n: 0 });
  });

  test("writes to one key within one batch each link from the one before", async () => {
    const h = makeHarness();
    await publish(h, K, "v0");
    // One event-loop turn: the direct proposer applies these as one batch, like a group commit.
    await Promise.all([
      publish(h, K, "v1"),
      publish(h, K, "beta", { betaIps: "10.0.0.7" }),
      remove(h, K),
      publish(h, K, "v2"),
      publish(h, K, "v3"),
    ]);
    expect(checkChain(h.db, K).length).toBe(7);
    expect(historyOf(h, K).pageItems.map((r) => r.opType).join("")).toBe("UIDDIUI");
  });
});

describe("trimming", () => {
  test("lowers the count of a live key on its row and of a deleted key in the head table", async () => {
    const h = makeHarness();
    const live = { ...K, dataId: "live" };
    const deleted = { ...K, dataId: "deleted" };
    const liveAllOld = { ...K, dataId: "live-all-old" };
    const deletedAllOld = { ...K, dataId: "deleted-all-old" };
    for (const k of [live, deleted, liveAllOld, deletedAllOld]) {
      await publish(h, k, "old1");
      await publish(h, k, "old2");
    }
    await remove(h, deletedAllOld);
    h.clock.now += HISTORY_RETENTION_MS + DAY;
    await publish(h, live, "new");
    await publish(h, deleted, "new");
    await remove(h, deleted);
    // Trimming runs on every 256th row; fill up with another key's fresh rows.
    const filler = { ...K, dataId: "filler" };
    while ((h.db.query("SELECT max(nid) AS n FROM config_history").get() as { n: number }).n < 256) await publish(h, filler, "f");
    expect(headsOf(h.db, live)).toMatchObject({ onConfig: { count: 1 }, detached: null });
    expect(headsOf(h.db, deleted)).toMatchObject({ onConfig: null, detached: { count: 2 } });
    expect(headsOf(h.db, liveAllOld)).toMatchObject({ onConfig: { count: 0 }, detached: null });
    expect(headsOf(h.db, deletedAllOld)).toEqual({ onConfig: null, detached: null });
    for (const k of [live, deleted, liveAllOld, deletedAllOld, filler]) checkChain(h.db, k);
    expect(historyOf(h, liveAllOld)).toMatchObject({ totalCount: 0, pageItems: [] });
    expect(historyOf(h, deleted).pageItems.map((r) => r.opType)).toEqual(["D", "U"]);
    // A key whose rows all went starts counting again; its head leaves with it when it is removed.
    await publish(h, liveAllOld, "again");
    await remove(h, liveAllOld);
    expect(headsOf(h.db, liveAllOld)).toMatchObject({ onConfig: null, detached: { count: 2 } });
    checkChain(h.db, liveAllOld);
  });
});

describe("migration 12", () => {
  test("moves the heads of existing configs onto their rows and keeps the others", async () => {
    const db = new Database(":memory:", { strict: true });
    applyMigrations(db, MIGRATIONS.filter((m) => m.version <= 11));
    const live = { ...K, dataId: "live" };
    const gone = { ...K, dataId: "gone" };
    db.run(
      `INSERT INTO config_info (id, namespace, group_name, data_id, content, md5, type, description, app_name, config_tags, created_at, modified_at, src_user, src_ip)
       VALUES (1, ?, ?, ?, 'v2', ?, 'yaml', '', '', '', 1, 2, '', '127.0.0.1'), (2, ?, ?, 'never-written', 'n', ?, 'yaml', '', '', '', 1, 1, '', '')`,
      [...args(live), md5Hex("v2"), K.namespace, K.group, md5Hex("n")],
    );
    db.run("INSERT INTO config_sequence (name, value) VALUES ('config_id', 3)");
    const row = db.query(
      `INSERT INTO config_history (nid, prev_nid, config_id, namespace, group_name, data_id, app_name, content, md5, op_type, publish_type, gray_name, ext_info, src_user, src_ip, created_at, modified_at)
       VALUES (?, ?, ?, ?, ?, ?, '', ?, '', ?, 'formal', '', '{}', '', '', 1, 1)`,
    );
    row.run(1, 0, 1, ...args(live), "v1", "I");
    row.run(2, 0, 3, ...args(gone), "g", "I");
    row.run(3, 1, 1, ...args(live), "v1", "U");
    row.run(4, 2, 3, ...args(gone), "g", "D");
    const head = db.query("INSERT INTO config_history_head (namespace, group_name, data_id, last_nid, row_count) VALUES (?, ?, ?, ?, ?)");
    head.run(...args(live), 3, 2);
    head.run(...args(gone), 4, 2);

    const h = makeHarness({ db });
    expect(db.query("SELECT version FROM schema_version WHERE version = 12").get()).toEqual({ version: 12 });
    expect(headsOf(db, live)).toEqual({ onConfig: { last: 3, count: 2 }, detached: null });
    expect(headsOf(db, gone)).toEqual({ onConfig: null, detached: { last: 4, count: 2 } });
    expect(headsOf(db, { ...K, dataId: "never-written" })).toEqual({ onConfig: { last: 0, count: 0 }, detached: null });
    expect(historyOf(h, live).totalCount).toBe(2);

    await publish(h, live, "v3");
    await publish(h, gone, "back");
    expect(historyOf(h, live).pageItems.map((r) => [r.nid, r.opType])).toEqual([
      [5, "U"],
      [3, "U"],
      [1, "I"],
    ]);
    expect(historyOf(h, gone).pageItems.map((r) => [r.nid, r.opType])).toEqual([
      [6, "I"],
      [4, "D"],
      [2, "I"],
    ]);
    for (const k of [live, gone]) checkChain(db, k);
  });

  test("a migrated database and a new one have the same config_info columns in the same order", () => {
    const columns = (db: Database) => db.query("SELECT name FROM pragma_table_info('config_info') ORDER BY cid").all();
    const fresh = new Database(":memory:");
    applyMigrations(fresh);
    const migrated = new Database(":memory:");
    applyMigrations(migrated, MIGRATIONS.filter((m) => m.version <= 11));
    applyMigrations(migrated);
    expect(columns(migrated)).toEqual(columns(fresh));
  });
});

describe("migration 13", () => {
  test("rebuilds config_history with the same rows, columns and index, and still refuses a bad op or publish type", () => {
    const columns = (db: Database) => db.query("SELECT name, type, pk FROM pragma_table_info('config_history') ORDER BY cid").all();
    const db = new Database(":memory:", { strict: true });
    applyMigrations(db, MIGRATIONS.filter((m) => m.version <= 12));
    const insert = db.query(
      `INSERT INTO config_history (nid, prev_nid, config_id, namespace, group_name, data_id, app_name, content, md5, op_type, publish_type, gray_name, ext_info, src_user, src_ip, created_at, modified_at)
       VALUES (?, ?, 1, ?, ?, ?, '', ?, '', ?, ?, '', '{}', '', '', ?, ?)`,
    );
    insert.run(7, 0, ...args(K), "v1", "I", "formal", 10, 10);
    insert.run(9, 7, ...args(K), "v1", "U", "gray", 11, 12);
    const before = db.query("SELECT * FROM config_history ORDER BY nid").all();
    const columnsBefore = columns(db);

    applyMigrations(db);
    expect(db.query("SELECT * FROM config_history ORDER BY nid").all()).toEqual(before);
    expect(columns(db)).toEqual(columnsBefore);
    expect(db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'config_history' ORDER BY name").all()).toEqual([
      { name: "config_history_by_time" },
    ]);
    expect(() => insert.run(10, 9, ...args(K), "v2", "X", "formal", 12, 12)).toThrow(/CHECK constraint failed/);
    expect(() => insert.run(10, 9, ...args(K), "v2", "U", "beta", 12, 12)).toThrow(/CHECK constraint failed/);
    insert.run(10, 9, ...args(K), "v2", "D", "formal", 12, 12);

    const fresh = new Database(":memory:");
    applyMigrations(fresh);
    expect(columns(fresh)).toEqual(columnsBefore);
  });
});

describe("snapshot install", () => {
  test("a store rebuilt from another's snapshot goes on writing the same chains and heads", async () => {
    const leader = makeHarness();
    const deleted = { ...K, dataId: "deleted" };
    await publish(leader, K, "v1");
    await publish(leader, K, "beta", { betaIps: "10.0.0.7" });
    await publish(leader, deleted, "d1");
    await remove(leader, deleted);

    const dir = mkdtempSync(join(tmpdir(), "rnacos-history-head-"));
    try {
      const file = join(dir, "snap.db");
      leader.sm.flush(); // the state machine's open transaction commits before a copy, as SnapshotTransfer does
      writeSnapshot(leader.db, file);
      const follower = makeHarness({ now: leader.clock.now });
      await publish(follower, { ...K, dataId: "only-here" }, "x");
      follower.sm.flush();
      withAttachedSnapshot(follower.db, file, () => follower.db.transaction(() => copyReplicatedTables(follower.db, follower.sm.replicatedTables())).immediate());
      follower.sm.restored();

      for (const h of [leader, follower]) {
        await publish(h, K, "v2");
        await publish(h, deleted, "d2");
        await remove(h, K);
        await publish(h, deleted, "d3");
      }
      const dump = (db: Database) => CONFIG_TABLES.map((t) => db.query(`SELECT * FROM "${t}"`).all().map((r) => JSON.stringify(r)).sort());
      expect(dump(follower.db)).toEqual(dump(leader.db));
      for (const k of [K, deleted]) expect(checkChain(follower.db, k)).toEqual(checkChain(leader.db, k));
      expect(historyOf(follower, deleted).totalCount).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
