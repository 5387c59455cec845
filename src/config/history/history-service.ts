// Config history (Nacos HistoryService): pages of history rows per config, one row, the pair "before /
// after" of a row, and the newest row of a config by its id. History is not held in memory: it is read
// from SQLite, on this node, as Nacos reads its his_config_info table.
import { DomainError } from "../../errors.ts";
import { normalizeNamespace, type ConfigKey } from "../model/config-key.ts";
import type { HistoryRecord } from "../model/config-record.ts";
import { checkKey } from "../model/validation.ts";
import type { ConfigIndex } from "../config-index.ts";
import { MAX_PAGE_SIZE, type Page } from "../config-search.ts";
import type { ConfigTables } from "../store/config-tables.ts";

export interface HistoryDetail extends HistoryRecord {
  originalContent: string;
  originalMd5: string;
  updatedContent: string;
  updatedMd5: string;
}

export class HistoryService {
  constructor(
    private readonly tables: ConfigTables,
    private readonly index: ConfigIndex,
  ) {}

  list(namespace: string, group: string, dataId: string, pageNo: number, pageSize: number): Page<HistoryRecord> {
    const key = this.key(namespace, group, dataId);
    const size = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(pageSize)));
    const number = Math.max(1, Math.floor(pageNo));
    const { total, rows } = this.tables.history.page(key, (number - 1) * size, size);
    return { totalCount: total, pageNumber: number, pagesAvailable: Math.ceil(total / size), pageItems: rows };
  }

  /** One history row; undefined when there is none with this nid. */
  get(namespace: string, group: string, dataId: string, nid: number): HistoryRecord | undefined {
    const key = this.key(namespace, group, dataId);
    const row = this.tables.history.find(nid);
    if (row) checkBelongs(row, key);
    return row;
  }

  /** A row with what the config held before and after that change. */
  detail(namespace: string, group: string, dataId: string, nid: number): HistoryDetail | undefined {
    const key = this.key(namespace, group, dataId);
    const row = this.tables.history.find(nid);
    if (!row) return undefined;
    checkBelongs(row, key);
    const detail: HistoryDetail = { ...row, originalContent: "", originalMd5: "", updatedContent: "", updatedMd5: "" };
    if (row.opType === "I") {
      detail.updatedContent = row.content;
      detail.updatedMd5 = row.md5;
    } else if (row.opType === "D") {
      detail.originalContent = row.content;
      detail.originalMd5 = row.md5;
    } else {
      detail.originalContent = row.content;
      detail.originalMd5 = row.md5;
      // An update row holds the replaced content; what replaced it is in the next row, or is current.
      const next = this.tables.history.next(key, row.publishType, row.grayName, row.nid);
      const current = row.publishType === "formal" ? this.index.formal(key) : this.index.gray(key, row.grayName);
      const after = next ?? current;
      if (after) {
        detail.updatedContent = after.content;
        detail.updatedMd5 = after.md5;
      }
    }
    return detail;
  }

  /** The newest history row of the config with this id (Nacos "previous"). */
  previous(namespace: string, group: string, dataId: string, configId: number): HistoryRecord | undefined {
    const key = this.key(namespace, group, dataId);
    const row = this.tables.history.latestOfConfig(key, configId);
    if (row) checkBelongs(row, key);
    return row;
  }

  private key(namespace: string, group: string, dataId: string): ConfigKey {
    checkKey(namespace, group, dataId);
    return { namespace: normalizeNamespace(namespace), group, dataId };
  }
}

/** Nacos refuses to show a row through another config's name (it would bypass per-config permissions). */
function checkBelongs(row: HistoryRecord, key: ConfigKey): void {
  if (row.namespace !== key.namespace || row.group !== key.group || row.dataId !== key.dataId) {
    throw new DomainError("forbidden", "Please check dataId, group or namespaceId.", 403);
  }
}
