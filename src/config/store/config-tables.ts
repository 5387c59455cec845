// SQL over the configuration center's replicated tables (schema: store/migrations.ts, versions 10-19).
// Writes are called only from command handlers inside the state machine's transaction; reads serve the
// start-up load, history pages and export.
import type { Database, Statement } from "bun:sqlite";
import { keyString, type ConfigKey } from "../model/config-key.ts";
import type { ConfigRecord, GrayRecord, NamespaceRecord } from "../model/config-record.ts";
import { HISTORY_TABLES, HistoryTable, type NewHistory } from "./history-table.ts";

export const CONFIG_TABLES = ["config_info", "config_gray", ...HISTORY_TABLES, "config_namespace", "config_sequence"];

interface ConfigRow {
  id: number;
  namespace: string;
  group_name: string;
  data_id: string;
  content: string;
  md5: string;
  type: string;
  description: string;
  app_name: string;
  config_tags: string;
  created_at: number;
  modified_at: number;
  src_user: string;
  src_ip: string;
}

interface GrayRow {
  namespace: string;
  group_name: string;
  data_id: string;
  gray_name: string;
  kind: "beta" | "tag";
  expr: string;
  content: string;
  md5: string;
  type: string;
  app_name: string;
  created_at: number;
  modified_at: number;
  src_user: string;
  src_ip: string;
}


const toConfig = (r: ConfigRow): ConfigRecord => ({
  id: r.id,
  namespace: r.namespace,
  group: r.group_name,
  dataId: r.data_id,
  content: r.content,
  md5: r.md5,
  type: r.type,
  desc: r.description,
  appName: r.app_name,
  configTags: r.config_tags,
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
  srcUser: r.src_user,
  srcIp: r.src_ip,
});

const toGray = (r: GrayRow): GrayRecord => ({
  namespace: r.namespace,
  group: r.group_name,
  dataId: r.data_id,
  grayName: r.gray_name,
  kind: r.kind,
  expr: r.expr,
  content: r.content,
  md5: r.md5,
  type: r.type,
  appName: r.app_name,
  createdAt: r.created_at,
  modifiedAt: r.modified_at,
  srcUser: r.src_user,
  srcIp: r.src_ip,
});


const KEY_WHERE = "namespace = ? AND group_name = ? AND data_id = ?";
const keyArgs = (k: ConfigKey) => [k.namespace, k.group, k.dataId] as const;


/** Prepared statements over one database; the connection is the node's only one. */
export class ConfigTables {
  private readonly cache = new Map<string, Statement>();

  /** History rows, kept as a chain per key (see history-table.ts). */
  readonly history: HistoryTable;
  private committed: ((key: ConfigKey) => ConfigRecord | undefined) | undefined;
  private readonly writtenInBatch = new Set<string>();

  constructor(readonly db: Database) {
    this.history = new HistoryTable(db);
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.query(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  // --- ids ---------------------------------------------------------------------------------------

  /** Next value of a named sequence; deterministic because it lives in the replicated tables. */
  nextId(name: "config_id"): number {
    const row = this.stmt("INSERT INTO config_sequence (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value").get(name) as {
      value: number;
    };
    return row.value;
  }

  // --- formal configs ----------------------------------------------------------------------------

  /**
   * Reads go to the committed formal versions (the read model, which holds exactly the committed rows)
   * instead of a SELECT, except for keys written since the last batch ended: their read-model update
   * waits for the commit, so they are read from SQLite. A SELECT per publish was measured at ~6% of it.
   */
  readCommittedFrom(lookup: (key: ConfigKey) => ConfigRecord | undefined): void {
    this.committed = lookup;
  }

  /** The state machine's batch ended (committed or not): the read model holds every row again. */
  batchEnded(): void {
    this.writtenInBatch.clear();
  }

  findConfig(key: ConfigKey): ConfigRecord | undefined {
    if (this.committed && !this.writtenInBatch.has(keyString(key))) return this.committed(key);
    const row = this.stmt(`SELECT * FROM config_info WHERE ${KEY_WHERE}`).get(...keyArgs(key)) as ConfigRow | null;
    return row ? toConfig(row) : undefined;
  }

  findConfigById(id: number): ConfigRecord | undefined {
    const row = this.stmt("SELECT * FROM config_info WHERE id = ?").get(id) as ConfigRow | null;
    return row ? toConfig(row) : undefined;
  }

  allConfigs(): ConfigRecord[] {
    return (this.stmt("SELECT * FROM config_info ORDER BY id").all() as ConfigRow[]).map(toConfig);
  }

  /** Creates the config's row; a key with history from before (deleted, gray only) keeps its chain. */
  insertConfig(c: ConfigRecord): void {
    this.writtenInBatch.add(keyString(c));
    this.stmt(
      `INSERT INTO config_info (id, namespace, group_name, data_id, content, md5, type, description, app_name, config_tags, created_at, modified_at, src_user, src_ip)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(c.id, c.namespace, c.group, c.dataId, c.content, c.md5, c.type, c.desc, c.appName, c.configTags, c.createdAt, c.modifiedAt, c.srcUser, c.srcIp);
    this.history.attachHead(c, c.id);
  }

  /**
   * Replaces the config's version and appends the history row of the change. The row links from the
   * history head on the config's row, and the same UPDATE advances that head (see history-table.ts).
   */
  updateConfig(c: ConfigRecord, history: NewHistory): number {
    this.writtenInBatch.add(keyString(c));
    const nid = this.history.appendAtConfig(c.id, history);
    this.stmt(
      `UPDATE config_info SET content = ?, md5 = ?, type = ?, description = ?, app_name = ?, config_tags = ?, modified_at = ?, src_user = ?, src_ip = ?,
         history_last_nid = ?, history_count = history_count + 1
       WHERE id = ?`,
    ).run(c.content, c.md5, c.type, c.desc, c.appName, c.configTags, c.modifiedAt, c.srcUser, c.srcIp, nid, c.id);
    return nid;
  }

  /** Deletes the config's row; its history head moves out first, so the key's chain goes on. */
  deleteConfig(c: ConfigRecord): void {
    this.writtenInBatch.add(keyString(c));
    this.history.detachHead(c.id);
    this.stmt("DELETE FROM config_info WHERE id = ?").run(c.id);
  }

  countConfigsIn(namespace: string): number {
    return (this.stmt("SELECT count(*) AS n FROM config_info WHERE namespace = ?").get(namespace) as { n: number }).n;
  }

  // --- gray versions -----------------------------------------------------------------------------

  findGray(key: ConfigKey, grayName: string): GrayRecord | undefined {
    const row = this.stmt(`SELECT * FROM config_gray WHERE ${KEY_WHERE} AND gray_name = ?`).get(...keyArgs(key), grayName) as GrayRow | null;
    return row ? toGray(row) : undefined;
  }

  graysOf(key: ConfigKey): GrayRecord[] {
    return (this.stmt(`SELECT * FROM config_gray WHERE ${KEY_WHERE} ORDER BY gray_name`).all(...keyArgs(key)) as GrayRow[]).map(toGray);
  }

  allGrays(): GrayRecord[] {
    return (this.stmt("SELECT * FROM config_gray ORDER BY namespace, group_name, data_id, gray_name").all() as GrayRow[]).map(toGray);
  }

  upsertGray(g: GrayRecord): void {
    this.stmt(
      `INSERT INTO config_gray (namespace, group_name, data_id, gray_name, kind, expr, content, md5, type, app_name, created_at, modified_at, src_user, src_ip)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, group_name, data_id, gray_name) DO UPDATE SET
         kind = excluded.kind, expr = excluded.expr, content = excluded.content, md5 = excluded.md5, type = excluded.type,
         app_name = excluded.app_name, modified_at = excluded.modified_at, src_user = excluded.src_user, src_ip = excluded.src_ip`,
    ).run(g.namespace, g.group, g.dataId, g.grayName, g.kind, g.expr, g.content, g.md5, g.type, g.appName, g.createdAt, g.modifiedAt, g.srcUser, g.srcIp);
  }

  deleteGray(key: ConfigKey, grayName: string): void {
    this.stmt(`DELETE FROM config_gray WHERE ${KEY_WHERE} AND gray_name = ?`).run(...keyArgs(key), grayName);
  }

  // --- namespaces --------------------------------------------------------------------------------

  allNamespaces(): NamespaceRecord[] {
    const rows = this.stmt("SELECT id, name, description, created_at FROM config_namespace ORDER BY created_at, id").all() as {
      id: string;
      name: string;
      description: string;
      created_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, name: r.name, desc: r.description, createdAt: r.created_at }));
  }

  findNamespace(id: string): NamespaceRecord | undefined {
    return this.allNamespaces().find((n) => n.id === id);
  }

  insertNamespace(n: NamespaceRecord): void {
    this.stmt("INSERT INTO config_namespace (id, name, description, created_at, modified_at) VALUES (?, ?, ?, ?, ?)").run(n.id, n.name, n.desc, n.createdAt, n.createdAt);
  }

  updateNamespace(id: string, name: string, desc: string, at: number): boolean {
    return this.stmt("UPDATE config_namespace SET name = ?, description = ?, modified_at = ? WHERE id = ?").run(name, desc, at, id).changes > 0;
  }

  deleteNamespace(id: string): boolean {
    return this.stmt("DELETE FROM config_namespace WHERE id = ?").run(id).changes > 0;
  }
}
