// Export, import and clone of configs in Nacos's zip format. An import (or clone) is one replicated
// entry: every config it writes lands together, with the policy for configs that already exist.
import { DomainError } from "../../errors.ts";
import type { Proposer } from "../../raft/proposer.ts";
import type { ConfigIndex } from "../config-index.ts";
import { normalizeNamespace } from "../model/config-key.ts";
import type { ConfigRecord } from "../model/config-record.ts";
import { configTypeOf } from "../model/config-type.ts";
import { md5Hex } from "../model/md5.ts";
import { checkAttributes, checkContent, checkDataId, checkGroup } from "../model/validation.ts";
import { IMPORT_CONFIGS, type ImportItem, type ImportPayload, type ImportResult, type SameConfigPolicy } from "../commands/import-configs.ts";
import type { NamespaceService } from "../namespace/namespace-service.ts";
import type { Origin } from "../config-service.ts";
import {
  legacyMetadataKey,
  METADATA_V1_NAME,
  METADATA_V2_NAME,
  readLegacyMetadata,
  readMetadataYaml,
  writeLegacyMetadata,
  writeMetadataYaml,
  type ExportItemMetadata,
} from "./export-metadata.ts";
import { readZip, writeZip, type ZipEntry } from "./zip-archive.ts";

export interface ExportFilter {
  namespace: string;
  /** '*' wildcards, as the console sends them. */
  dataId?: string;
  group?: string;
  appName?: string;
  /** When given, exactly these configs (any namespace), as Nacos exports "selected". */
  ids?: number[];
}

export type ImportFailure = "NAMESPACE_NOT_EXIST" | "METADATA_ILLEGAL" | "PARSING_DATA_FAILED" | "DATA_EMPTY" | "NO_SELECTED_CONFIG";

export interface ImportOutcome extends ImportResult {
  unrecognizedData: { itemName: string }[];
}

export type ImportAnswer = { ok: true; result: ImportOutcome } | { ok: false; failure: ImportFailure; message: string };

export interface CloneSource {
  cfgId: number;
  /** New dataId / group in the target namespace (blank keeps the source's). */
  dataId?: string;
  group?: string;
}

/** Import limits: a zip is read into memory, so its size is bounded (on top of the HTTP body limit). */
export const IMPORT_LIMITS = { maxEntries: 10_000, maxTotalBytes: 64 * 1024 * 1024 };

const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

export class ConfigTransfer {
  constructor(
    private readonly deps: { proposer: Proposer; index: ConfigIndex; namespaces: NamespaceService; now: () => number; maxContentBytes: number },
  ) {}

  /** Configs an export would hold, in id order. */
  selectForExport(f: ExportFilter): ConfigRecord[] {
    const index = this.deps.index;
    if (f.ids && f.ids.length > 0) {
      return f.ids.map((id) => index.byConfigId(id)).filter((c): c is ConfigRecord => c !== undefined).sort((a, b) => a.id - b.id);
    }
    const namespace = normalizeNamespace(f.namespace);
    const dataIdRe = f.dataId ? new RegExp(`^${f.dataId.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "s") : undefined;
    const out: ConfigRecord[] = [];
    for (const c of index.formals()) {
      if (c.namespace !== namespace) continue;
      if (dataIdRe && !dataIdRe.test(c.dataId)) continue;
      if (f.group && c.group !== f.group) continue;
      if (f.appName && c.appName !== f.appName) continue;
      out.push(c);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The zip Nacos's `export=true` (v1, ".meta.yml" with app names) or `exportV2=true` (".metadata.yml") gives. */
  exportZip(f: ExportFilter, format: "v1" | "v2", at = new Date(this.deps.now())): Uint8Array {
    const configs = this.selectForExport(f);
    const entries: ZipEntry[] = configs.map((c) => ({ name: `${c.group}/${c.dataId}`, data: encoder.encode(c.content) }));
    if (format === "v2") {
      const meta: ExportItemMetadata[] = configs.map((c) => ({ dataId: c.dataId, group: c.group, type: c.type, desc: c.desc, appName: c.appName, configTags: c.configTags }));
      entries.push({ name: METADATA_V2_NAME, data: encoder.encode(writeMetadataYaml(meta)) });
    } else {
      const legacy = writeLegacyMetadata(configs);
      if (legacy !== "") entries.push({ name: METADATA_V1_NAME, data: encoder.encode(legacy) });
    }
    return writeZip(entries, at);
  }

  async importZip(bytes: Uint8Array, namespace: string, policy: SameConfigPolicy, origin: Origin): Promise<ImportAnswer> {
    if (!this.deps.namespaces.exists(namespace)) return { ok: false, failure: "NAMESPACE_NOT_EXIST", message: `namespace ${namespace} does not exist` };
    let entries: ZipEntry[];
    try {
      entries = readZip(bytes, IMPORT_LIMITS);
    } catch (err) {
      return { ok: false, failure: "PARSING_DATA_FAILED", message: (err as Error).message };
    }
    const metaEntry = entries.find((e) => e.name === METADATA_V2_NAME) ?? entries.find((e) => e.name === METADATA_V1_NAME);
    const files = entries.filter((e) => e !== metaEntry && e.name !== METADATA_V1_NAME && e.name !== METADATA_V2_NAME);
    const unrecognized: { itemName: string }[] = [];
    const candidates: (ExportItemMetadata & { content: string })[] = [];
    try {
      if (metaEntry?.name === METADATA_V2_NAME) {
        const meta = readMetadataYaml(decoder.decode(metaEntry.data));
        if (meta.length === 0 || meta.some((m) => !m.dataId || !m.group || !m.type)) return { ok: false, failure: "METADATA_ILLEGAL", message: "Imported metadata is invalid" };
        const contents = new Map<string, string>();
        for (const f of files) {
          const parts = f.name.split("/");
          if (parts.length !== 2) unrecognized.push({ itemName: f.name });
          else if (!meta.some((m) => m.group === parts[0] && m.dataId === parts[1])) unrecognized.push({ itemName: `not in metadata: ${f.name}` });
          else contents.set(f.name, decoder.decode(f.data));
        }
        for (const m of meta) {
          const content = contents.get(`${m.group}/${m.dataId}`);
          if (content === undefined) unrecognized.push({ itemName: `not in file: ${m.group}/${m.dataId}` });
          else candidates.push({ ...m, content });
        }
      } else {
        const appNames = metaEntry ? readLegacyMetadata(decoder.decode(metaEntry.data)) : new Map<string, string>();
        for (const f of files) {
          const parts = f.name.split("/");
          if (parts.length !== 2) {
            unrecognized.push({ itemName: f.name });
            continue;
          }
          const [group, dataId] = parts as [string, string];
          candidates.push({ group, dataId, appName: appNames.get(legacyMetadataKey(group, dataId)), content: decoder.decode(f.data) });
        }
      }
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, failure: "METADATA_ILLEGAL", message: err.message };
      throw err;
    }
    const items: ImportItem[] = [];
    for (const c of candidates) {
      const item = this.toItem(c);
      if (typeof item === "string") unrecognized.push({ itemName: `${c.group}/${c.dataId}: ${item}` });
      else items.push(item);
    }
    if (items.length === 0) return { ok: false, failure: "DATA_EMPTY", message: "Imported file data is empty" };
    const result = await this.propose(namespace, items, policy, origin);
    return { ok: true, result: { ...result, unrecognizedData: unrecognized } };
  }

  /** Copies configs (by id) into a namespace, optionally under new names (Nacos clone). */
  async clone(namespace: string, sources: CloneSource[], policy: SameConfigPolicy, origin: Origin): Promise<ImportAnswer> {
    if (sources.length === 0) return { ok: false, failure: "NO_SELECTED_CONFIG", message: "No configuration selected" };
    if (!this.deps.namespaces.exists(namespace)) return { ok: false, failure: "NAMESPACE_NOT_EXIST", message: `namespace ${namespace} does not exist` };
    const items: ImportItem[] = [];
    for (const s of sources) {
      const c = this.deps.index.byConfigId(s.cfgId);
      if (!c) continue;
      const item = this.toItem({ dataId: s.dataId?.trim() || c.dataId, group: s.group?.trim() || c.group, content: c.content, type: c.type, desc: c.desc, appName: c.appName, configTags: c.configTags });
      if (typeof item === "string") throw new DomainError("invalid", item, 20002);
      items.push(item);
    }
    if (items.length === 0) return { ok: false, failure: "DATA_EMPTY", message: "none of the selected configs exists" };
    const result = await this.propose(namespace, items, policy, origin);
    return { ok: true, result: { ...result, unrecognizedData: [] } };
  }

  /** An import item, or why it cannot be imported. */
  private toItem(c: ExportItemMetadata & { content: string }): ImportItem | string {
    try {
      checkDataId(c.dataId);
      checkGroup(c.group);
      checkContent(c.content, this.deps.maxContentBytes);
      checkAttributes(c);
    } catch (err) {
      if (err instanceof DomainError) return err.message;
      throw err;
    }
    return {
      group: c.group,
      dataId: c.dataId,
      content: c.content,
      md5: md5Hex(c.content),
      type: configTypeOf(c.type),
      desc: c.desc ?? "",
      appName: c.appName ?? "",
      configTags: c.configTags ?? "",
    };
  }

  private propose(namespace: string, items: ImportItem[], policy: SameConfigPolicy, origin: Origin): Promise<ImportResult> {
    const payload: ImportPayload = { namespace: normalizeNamespace(namespace), items, policy, at: this.deps.now(), srcUser: origin.srcUser ?? "", srcIp: origin.srcIp };
    return this.deps.proposer.propose<ImportResult>(IMPORT_CONFIGS, payload);
  }
}
