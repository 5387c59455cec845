import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { applyMigrations, MIGRATIONS } from "../../../src/store/migrations.ts";
import { HISTORY_RETENTION_MS, HistoryTable, type NewHistory } from "../../../src/config/store/history-table.ts";
import type { ConfigKey } from "../../../src/config/model/config-key.ts";

const A: ConfigKey = { namespace: "", group: "DEFAULT_GROUP", dataId: "a.properties" };
const B: ConfigKey = { namespace: "dev", group: "DEFAULT_GROUP", dataId: "a.properties" };
const DAY = 24 * 3600 * 1000;

function row(key: ConfigKey, content: string, at: number, extra: Partial<NewHistory> = {}): NewHistory {
  return {
    ...key,
    configId: 1,
    appName: "",
    content,
    md5: content,
    opType: "U",
    publishType: "formal",
    grayName: "",
    extInfo: "{}",
    srcUser: "",
    srcIp: "127.0.0.1",
    createdAt: at,
    modifiedAt: at,
    ...extra,
  };
}

function freshTable(): { db: Database; history: HistoryTable } {
  const db = new Database(":memory:");
  applyMigrations(db);
  return { db, history: new HistoryTable(db) };
}

test("pages walk one key's rows newest first, with the key's total, never another key's rows", () => {
  const { history } = freshTable();
  for (let i = 1; i <= 7; i++) {
    history.append(row(A, `a${i}`, i));
    history.append(row(B, `b${i}`, i));
  }
  const first = history.page(A, 0, 3);
  expect(first.total).toBe(7);
  expect(first.rows.map((r) => r.content)).toEqual(["a7", "a6", "a5"]);
  expect(history.page(A, 6, 3).rows.map((r) => r.content)).toEqual(["a1"]);
  expect(history.page(A, 7, 3).rows).toEqual([]);
  expect(history.page(B, 2, 2).rows.map((r) => r.content)).toEqual(["b5", "b4"]);
  expect(history.page({ ...A, dataId: "none" }, 0, 10)).toEqual({ total: 0, rows: [] });
});

test("next finds the following row of the same publish type and gray; latestOfConfig the newest of an id", () => {
  const { history } = freshTable();
  const n1 = history.append(row(A, "f1", 1, { configId: 1 }));
  history.append(row(A, "g1", 2, { publishType: "gray", grayName: "beta", configId: 1 }));
  history.append(row(B, "other", 3, { configId: 1 }));
  const n4 = history.append(row(A, "f2", 4, { configId: 1, opType: "D" }));
  history.append(row(A, "f3", 5, { configId: 2, opType: "I" }));
  expect(history.next(A, "formal", "", n1)?.nid).toBe(n4);
  expect(history.next(A, "gray", "beta", n1)?.content).toBe("g1");
  expect(history.next(A, "gray", "beta", n4)).toBeUndefined();
  expect(history.latestOfConfig(A, 1)?.nid).toBe(n4);
  expect(history.latestOfConfig(A, 2)?.content).toBe("f3");
  expect(history.latestOfConfig(A, 3)).toBeUndefined();
  expect(history.find(n4)?.content).toBe("f2");
});

test("trimming expired rows cuts each chain and its count exactly", () => {
  const { db, history } = freshTable();
  const now = 100 * DAY;
  // 10 old rows of A, 2 recent ones; B only old: its head goes entirely.
  for (let i = 0; i < 10; i++) history.append(row(A, `old${i}`, now - HISTORY_RETENTION_MS - DAY));
  history.append(row(B, "old-b", now - HISTORY_RETENTION_MS - DAY));
  history.append(row(A, "new1", now));
  history.append(row(A, "new2", now));
  // Trimming runs on the 256th row; fill up with another key's fresh rows.
  const filler: ConfigKey = { ...A, dataId: "filler" };
  while ((db.query("SELECT max(nid) AS n FROM config_history").get() as { n: number }).n < 256) history.append(row(filler, "f", now));
  expect(history.page(A, 0, 100)).toMatchObject({ total: 2, rows: [{ content: "new2" }, { content: "new1" }] });
  expect(history.page(B, 0, 100)).toEqual({ total: 0, rows: [] });
  expect(history.page(filler, 0, 1000).total).toBe(history.page(filler, 0, 1000).rows.length);
});

test("migration 11 links the rows an older schema wrote into chains", () => {
  const db = new Database(":memory:");
  const upTo10 = MIGRATIONS.filter((m) => m.version <= 10);
  applyMigrations(db, upTo10);
  const insert = db.query(
    `INSERT INTO config_history (nid, config_id, namespace, group_name, data_id, app_name, content, md5, op_type, publish_type, gray_name, ext_info, src_user, src_ip, created_at, modified_at)
     VALUES (?, 1, ?, ?, ?, '', ?, '', 'U', 'formal', '', '{}', '', '', 0, 0)`,
  );
  insert.run(1, A.namespace, A.group, A.dataId, "a1");
  insert.run(2, B.namespace, B.group, B.dataId, "b1");
  insert.run(3, A.namespace, A.group, A.dataId, "a2");
  insert.run(5, A.namespace, A.group, A.dataId, "a3");
  expect(applyMigrations(db)).toContain(11);
  const history = new HistoryTable(db);
  expect(history.page(A, 0, 10)).toMatchObject({ total: 3, rows: [{ content: "a3" }, { content: "a2" }, { content: "a1" }] });
  expect(history.page(B, 0, 10)).toMatchObject({ total: 1, rows: [{ content: "b1" }] });
  // New rows continue the migrated chain.
  history.append(row(A, "a4", 1));
  expect(history.page(A, 0, 2).rows.map((r) => r.content)).toEqual(["a4", "a3"]);
  const indexes = db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'config_history' AND name NOT LIKE 'sqlite_%'").all();
  expect(indexes).toEqual([{ name: "config_history_by_time" }]);
});
