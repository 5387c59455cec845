// Config history (Nacos his_config_info) as a chain per config key: each row points at the key's
// previous row (prev_nid), and the key's head records the newest row and how many rows the key has.
//
// Why not an index on the key: a publish appends one history row, and an index over (key, nid) or
// (config id, nid) turns that append into a random insert in a large B-tree. With many keys written
// in one group commit every such insert dirties its own page, and writing those pages to the WAL was
// measured at about a fifth of a publish's main-thread time. Rows are only ever read per key, newest
// first, a page at a time (console and API history), so walking the chain serves every query, and the
// rows themselves are appended in nid order.
//
// Where the head lives: on the key's config_info row (history_last_nid, history_count) while the formal
// config exists, otherwise in config_history_head (a deleted config, a key with gray versions only).
// Never in both. So a publish that updates a config links its row from the config row it updates and
// advances the head in that same UPDATE (ConfigTables.updateConfig): a separate head table written on
// every publish dirtied a page of another B-tree per key, about a quarter of the publish's SQL time.
// Creating a config moves a detached head onto its row; deleting one moves the head back out.
//
// Trimming deletes rows older than the retention; a walk stops at the first missing row, and the head's
// count is lowered by what was trimmed, so the chain and the counts stay exact.
import type { Database, Statement } from "bun:sqlite";
import type { ConfigKey } from "../model/config-key.ts";
import type { HistoryRecord, OpType, PublishType } from "../model/config-record.ts";

/** Nacos keeps 30 days of config history. */
export const HISTORY_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Expired history is deleted once per this many new rows. */
const TRIM_EVERY = 256;

export const HISTORY_TABLES = ["config_history", "config_history_head"];

interface HistoryRow {
  nid: number;
  prev_nid: number;
  config_id: number;
  namespace: string;
  group_name: string;
  data_id: string;
  app_name: string;
  content: string;
  md5: string;
  op_type: OpType;
  publish_type: PublishType;
  gray_name: string;
  ext_info: string;
  src_user: string;
  src_ip: string;
  created_at: number;
  modified_at: number;
}

const toHistory = (r: HistoryRow): HistoryRecord => ({
  nid: r.nid,
  configId: r.config_id,
  namespace: r.namespace,
  group: r.group_name,
  dataId: r.data_id,
  appName: r.app_name,
  content: r.content,
  md5: r.md5,
  opType: r.op_type,
  publishType: r.publish_type,
  grayName: r.gray_name,
  extInfo: r.ext_info,
  srcUser: r.src_user,
  srcIp: r.src_ip,
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
});

export type NewHistory = Omit<HistoryRecord, "nid">;

const KEY_WHERE = "namespace = ? AND group_name = ? AND data_id = ?";

const INSERT_ROW = `INSERT INTO config_history (nid, prev_nid, config_id, namespace, group_name, data_id, app_name, content, md5, op_type, publish_type, gray_name, ext_info, src_user, src_ip, created_at, modified_at)`;
const rowArgs = (h: NewHistory) =>
  [h.configId, h.namespace, h.group, h.dataId, h.appName, h.content, h.md5, h.opType, h.publishType, h.grayName, h.extInfo, h.srcUser, h.srcIp, h.createdAt, h.modifiedAt] as const;

interface Head {
  last_nid: number;
  row_count: number;
}

export class HistoryTable {
  private readonly liveHead: Statement;
  private readonly detachedHead: Statement;
  private readonly insertAtConfig: Statement;
  private readonly insertAtKey: Statement;
  private readonly advanceLive: Statement;
  private readonly advanceDetached: Statement;
  private readonly attach: Statement;
  private readonly dropDetached: Statement;
  private readonly detach: Statement;
  private readonly byNid: Statement;

  constructor(private readonly db: Database) {
    this.liveHead = db.query(`SELECT history_last_nid AS last_nid, history_count AS row_count FROM config_info WHERE ${KEY_WHERE}`);
    this.detachedHead = db.query(`SELECT last_nid, row_count FROM config_history_head WHERE ${KEY_WHERE}`);
    // The key's previous row comes from its head inside the same statement: from the config row by id
    // on the publish path, else from wherever the key's head is.
    this.insertAtConfig = db.query(`${INSERT_ROW} VALUES (NULL, (SELECT history_last_nid FROM config_info WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertAtKey = db.query(
      `${INSERT_ROW} VALUES (NULL, coalesce((SELECT history_last_nid FROM config_info WHERE ${KEY_WHERE}), (SELECT last_nid FROM config_history_head WHERE ${KEY_WHERE}), 0),
         ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.advanceLive = db.query(`UPDATE config_info SET history_last_nid = ?, history_count = history_count + 1 WHERE ${KEY_WHERE}`);
    this.advanceDetached = db.query(
      `INSERT INTO config_history_head (namespace, group_name, data_id, last_nid, row_count) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (namespace, group_name, data_id) DO UPDATE SET last_nid = excluded.last_nid, row_count = row_count + 1`,
    );
    this.attach = db.query("UPDATE config_info SET history_last_nid = ?, history_count = ? WHERE id = ?");
    this.dropDetached = db.query(`DELETE FROM config_history_head WHERE ${KEY_WHERE}`);
    // A head whose rows were all trimmed is dropped, as trimming drops detached heads that reach 0.
    this.detach = db.query(
      `INSERT INTO config_history_head (namespace, group_name, data_id, last_nid, row_count)
       SELECT namespace, group_name, data_id, history_last_nid, history_count FROM config_info WHERE id = ? AND history_count > 0
       ON CONFLICT (namespace, group_name, data_id) DO UPDATE SET last_nid = excluded.last_nid, row_count = excluded.row_count`,
    );
    this.byNid = db.query("SELECT * FROM config_history WHERE nid = ?");
  }

  /**
   * Appends a row at the head of its key's chain, wherever that head is. The nid is the table's largest
   * plus one (a NULL INTEGER PRIMARY KEY): derived from the replicated rows alone, so every node and
   * snapshot agree.
   */
  append(h: NewHistory): number {
    const result = this.insertAtKey.run(h.namespace, h.group, h.dataId, h.namespace, h.group, h.dataId, ...rowArgs(h));
    const nid = Number(result.lastInsertRowid);
    if (this.advanceLive.run(nid, h.namespace, h.group, h.dataId).changes === 0) this.advanceDetached.run(h.namespace, h.group, h.dataId, nid);
    this.trimNow(nid, h.createdAt);
    return nid;
  }

  /**
   * Appends a row linked from the head on config_info row `configId`, and leaves advancing that head to
   * the caller's UPDATE of the same row (history_last_nid = nid, history_count + 1): the publish path
   * (ConfigTables.updateConfig) writes the config and its head in one statement.
   */
  appendAtConfig(configId: number, h: NewHistory): number {
    const nid = Number(this.insertAtConfig.run(configId, ...rowArgs(h)).lastInsertRowid);
    this.trimNow(nid, h.createdAt);
    return nid;
  }

  /** A config row was created: the key's detached head (if it had history before) moves onto it. */
  attachHead(key: ConfigKey, configId: number): void {
    const head = this.detachedHead.get(key.namespace, key.group, key.dataId) as Head | null;
    if (!head) return;
    this.attach.run(head.last_nid, head.row_count, configId);
    this.dropDetached.run(key.namespace, key.group, key.dataId);
  }

  /** A config row is about to be deleted: its head moves to config_history_head. */
  detachHead(configId: number): void {
    this.detach.run(configId);
  }

  /** Expired rows go every TRIM_EVERY rows, not on every write; nid keeps it the same on every node. */
  private trimNow(nid: number, now: number): void {
    if (nid % TRIM_EVERY === 0) this.trim(now - HISTORY_RETENTION_MS);
  }

  /** Drops rows older than `before` (Nacos keeps 30 days), lowering each key's count by what went. */
  private trim(before: number): void {
    const gone = this.db
      .query("SELECT namespace, group_name, data_id, count(*) AS n FROM config_history WHERE created_at < ? GROUP BY namespace, group_name, data_id")
      .all(before) as { namespace: string; group_name: string; data_id: string; n: number }[];
    if (gone.length === 0) return;
    const lowerLive = this.db.query(`UPDATE config_info SET history_count = history_count - ? WHERE ${KEY_WHERE}`);
    const lowerDetached = this.db.query(`UPDATE config_history_head SET row_count = row_count - ? WHERE ${KEY_WHERE}`);
    for (const g of gone) {
      if (lowerLive.run(g.n, g.namespace, g.group_name, g.data_id).changes === 0) lowerDetached.run(g.n, g.namespace, g.group_name, g.data_id);
    }
    this.db.run("DELETE FROM config_history WHERE created_at < ?", [before]);
    this.db.run("DELETE FROM config_history_head WHERE row_count <= 0");
  }

  find(nid: number): HistoryRecord | undefined {
    const row = this.byNid.get(nid) as HistoryRow | null;
    return row ? toHistory(row) : undefined;
  }

  /** A page of the key's rows, newest first, and how many it has in all. */
  page(key: ConfigKey, offset: number, limit: number): { total: number; rows: HistoryRecord[] } {
    const head = this.headOf(key);
    if (!head) return { total: 0, rows: [] };
    const rows: HistoryRecord[] = [];
    let skipped = 0;
    for (const row of this.walk(head.last_nid)) {
      if (skipped < offset) {
        skipped++;
        continue;
      }
      rows.push(toHistory(row));
      if (rows.length >= limit) break;
    }
    return { total: head.row_count, rows };
  }

  /** The newest row of the config with this id, among its key's rows (Nacos "previous"). */
  latestOfConfig(key: ConfigKey, configId: number): HistoryRecord | undefined {
    const head = this.headOf(key);
    if (!head) return undefined;
    for (const row of this.walk(head.last_nid)) if (row.config_id === configId) return toHistory(row);
    return undefined;
  }

  /** The key's first row after `nid` with the same publish type and gray name (what an update led to). */
  next(key: ConfigKey, publishType: PublishType, grayName: string, nid: number): HistoryRecord | undefined {
    const head = this.headOf(key);
    if (!head) return undefined;
    let found: HistoryRow | undefined;
    for (const row of this.walk(head.last_nid)) {
      if (row.nid <= nid) break;
      if (row.publish_type === publishType && row.gray_name === grayName) found = row;
    }
    return found ? toHistory(found) : undefined;
  }

  private headOf(key: ConfigKey): Head | undefined {
    const args = [key.namespace, key.group, key.dataId] as const;
    return ((this.liveHead.get(...args) ?? this.detachedHead.get(...args)) as Head | null) ?? undefined;
  }

  /** The chain from `nid` back, newest first; ends at the first row trimmed away. */
  private *walk(nid: number): Generator<HistoryRow> {
    let at = nid;
    while (at > 0) {
      const row = this.byNid.get(at) as HistoryRow | null;
      if (!row) return;
      yield row;
      at = row.prev_nid;
    }
  }
}

/** Migration 11: links existing rows into chains, fills the heads; the key indexes go afterwards. */
export function linkHistoryChains(db: Database): void {
  const rows = db.query("SELECT nid, namespace, group_name, data_id FROM config_history ORDER BY nid").all() as { nid: number; namespace: string; group_name: string; data_id: string }[];
  const heads = new Map<string, { key: [string, string, string]; last: number; count: number }>();
  const link = db.query("UPDATE config_history SET prev_nid = ? WHERE nid = ?");
  for (const r of rows) {
    const id = `${r.namespace}\u0002${r.group_name}\u0002${r.data_id}`;
    const head = heads.get(id);
    if (head) {
      link.run(head.last, r.nid);
      head.last = r.nid;
      head.count++;
    } else {
      heads.set(id, { key: [r.namespace, r.group_name, r.data_id], last: r.nid, count: 1 });
    }
  }
  const insert = db.query("INSERT INTO config_history_head (namespace, group_name, data_id, last_nid, row_count) VALUES (?, ?, ?, ?, ?)");
  for (const h of heads.values()) insert.run(...h.key, h.last, h.count);
}
