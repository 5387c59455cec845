// The in-memory read model of the configuration center: every config with its gray versions, by key and
// by id, plus the namespaces. Loaded from SQLite at start and after a snapshot install; kept current by
// the command handlers' after-commit effects. Reads never touch SQLite.
import { keyString, keyStringOf, type ConfigKey } from "./model/config-key.ts";
import type { ConfigRecord, GrayRecord, NamespaceRecord } from "./model/config-record.ts";
import { indexGray, resolveVersion, sortGrays, type ClientIdentity, type IndexedGray, type Resolved } from "./gray/gray-match.ts";
import type { ConfigTables } from "./store/config-tables.ts";

export interface IndexEntry {
  formal: ConfigRecord | undefined;
  grays: IndexedGray[];
}

const EMPTY_GRAYS: IndexedGray[] = [];

export class ConfigIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly byId = new Map<number, ConfigRecord>();
  private readonly perNamespace = new Map<string, number>();
  private readonly namespaceList = new Map<string, NamespaceRecord>();

  /** Replaces everything with what the tables hold. */
  load(tables: ConfigTables): void {
    this.entries.clear();
    this.byId.clear();
    this.perNamespace.clear();
    this.namespaceList.clear();
    for (const c of tables.allConfigs()) this.setFormal(c);
    for (const g of tables.allGrays()) this.setGray(g);
    for (const n of tables.allNamespaces()) this.namespaceList.set(n.id, n);
  }

  get size(): number {
    return this.byId.size;
  }

  entry(key: string): IndexEntry | undefined {
    return this.entries.get(key);
  }

  formal(key: ConfigKey): ConfigRecord | undefined {
    return this.entries.get(keyString(key))?.formal;
  }

  formalOf(namespace: string, group: string, dataId: string): ConfigRecord | undefined {
    return this.entries.get(keyStringOf(namespace, group, dataId))?.formal;
  }

  byConfigId(id: number): ConfigRecord | undefined {
    return this.byId.get(id);
  }

  gray(key: ConfigKey, grayName: string): IndexedGray | undefined {
    return this.entries.get(keyString(key))?.grays.find((g) => g.grayName === grayName);
  }

  graysOf(key: ConfigKey): readonly IndexedGray[] {
    return this.entries.get(keyString(key))?.grays ?? EMPTY_GRAYS;
  }

  /** The version this client reads, by the key's index string (the hot path). */
  resolve(key: string, client: ClientIdentity): Resolved | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.grays.length === 0) {
      if (client.tag !== "") return undefined;
      return e.formal ? { formal: e.formal } : undefined;
    }
    return resolveVersion(e.formal, e.grays, client);
  }

  /** The MD5 this client would read ("" when it would read nothing). */
  md5For(key: string, client: ClientIdentity): string {
    const r = this.resolve(key, client);
    return r === undefined ? "" : r.gray ? r.gray.md5 : r.formal.md5;
  }

  formals(): IterableIterator<ConfigRecord> {
    return this.byId.values();
  }

  /** Keys that have a gray version. */
  *grayEntries(): Generator<[ConfigKey, readonly IndexedGray[]]> {
    for (const e of this.entries.values()) {
      if (e.grays.length > 0) yield [e.formal ?? e.grays[0]!, e.grays];
    }
  }

  countIn(namespace: string): number {
    return this.perNamespace.get(namespace) ?? 0;
  }

  setFormal(c: ConfigRecord): void {
    const key = keyString(c);
    const e = this.entries.get(key);
    if (e) {
      if (!e.formal) this.bump(c.namespace, 1);
      else if (e.formal.id !== c.id) this.byId.delete(e.formal.id);
      e.formal = c;
    } else {
      this.entries.set(key, { formal: c, grays: [] });
      this.bump(c.namespace, 1);
    }
    this.byId.set(c.id, c);
  }

  deleteFormal(key: ConfigKey): void {
    const k = keyString(key);
    const e = this.entries.get(k);
    if (!e?.formal) return;
    this.byId.delete(e.formal.id);
    this.bump(key.namespace, -1);
    e.formal = undefined;
    if (e.grays.length === 0) this.entries.delete(k);
  }

  setGray(g: GrayRecord): void {
    const k = keyString(g);
    let e = this.entries.get(k);
    if (!e) {
      e = { formal: undefined, grays: [] };
      this.entries.set(k, e);
    }
    e.grays = sortGrays([...e.grays.filter((x) => x.grayName !== g.grayName), indexGray(g)]);
  }

  deleteGray(key: ConfigKey, grayName: string): void {
    const k = keyString(key);
    const e = this.entries.get(k);
    if (!e) return;
    e.grays = e.grays.filter((g) => g.grayName !== grayName);
    if (!e.formal && e.grays.length === 0) this.entries.delete(k);
  }

  // --- namespaces ---------------------------------------------------------------------------------

  namespaces(): NamespaceRecord[] {
    return [...this.namespaceList.values()];
  }

  namespace(id: string): NamespaceRecord | undefined {
    return this.namespaceList.get(id);
  }

  setNamespace(n: NamespaceRecord): void {
    this.namespaceList.set(n.id, n);
  }

  deleteNamespace(id: string): void {
    this.namespaceList.delete(id);
  }

  private bump(namespace: string, by: number): void {
    const n = (this.perNamespace.get(namespace) ?? 0) + by;
    if (n === 0) this.perNamespace.delete(namespace);
    else this.perNamespace.set(namespace, n);
  }
}
