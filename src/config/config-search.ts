// Listing and searching configs (console and v1 `search=accurate|blur`), over the in-memory index.
// Accurate: blank fields match anything, others must be equal. Blur: '*' is a wildcard, as Nacos turns
// it into SQL LIKE's '%'; a value without '*' must be equal.
import type { ConfigIndex } from "./config-index.ts";
import { normalizeNamespace } from "./model/config-key.ts";
import type { ConfigRecord } from "./model/config-record.ts";

export interface SearchQuery {
  mode: "accurate" | "blur";
  namespace: string;
  dataId?: string;
  group?: string;
  appName?: string;
  /** Comma-separated; a config matches when it has any of them. */
  configTags?: string;
  /** Comma-separated config types (blur only). */
  types?: string;
  /** Content must contain this (v2 searchDetail). */
  content?: string;
  pageNo: number;
  pageSize: number;
}

export interface Page<T> {
  totalCount: number;
  pageNumber: number;
  pagesAvailable: number;
  pageItems: T[];
}

export const MAX_PAGE_SIZE = 500;

export function page<T>(all: T[], pageNo: number, pageSize: number): Page<T> {
  const size = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(pageSize)));
  const number = Math.max(1, Math.floor(pageNo));
  return {
    totalCount: all.length,
    pageNumber: number,
    pagesAvailable: Math.ceil(all.length / size),
    pageItems: all.slice((number - 1) * size, number * size),
  };
}

/** '*' wildcards as a RegExp (other characters literal); undefined when there is nothing to filter on. */
function wildcard(pattern: string | undefined): RegExp | undefined {
  if (!pattern) return undefined;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "s");
}

export function searchConfigs(index: ConfigIndex, q: SearchQuery): Page<ConfigRecord> {
  const namespace = normalizeNamespace(q.namespace);
  const tags = q.configTags ? q.configTags.split(",").map((t) => t.trim()).filter((t) => t !== "") : [];
  const types = q.types ? new Set(q.types.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== "")) : undefined;
  const dataIdRe = q.mode === "blur" ? wildcard(q.dataId) : undefined;
  const groupRe = q.mode === "blur" ? wildcard(q.group) : undefined;
  const matches = (c: ConfigRecord): boolean => {
    if (c.namespace !== namespace) return false;
    if (q.mode === "accurate") {
      if (q.dataId && c.dataId !== q.dataId) return false;
      if (q.group && c.group !== q.group) return false;
    } else {
      if (dataIdRe && !dataIdRe.test(c.dataId)) return false;
      if (groupRe && !groupRe.test(c.group)) return false;
      if (types && types.size > 0 && !types.has(c.type)) return false;
    }
    if (q.appName && c.appName !== q.appName) return false;
    if (tags.length > 0) {
      const own = c.configTags.split(",").map((t) => t.trim());
      if (!tags.some((t) => own.includes(t))) return false;
    }
    if (q.content && !c.content.includes(q.content)) return false;
    return true;
  };
  const all: ConfigRecord[] = [];
  for (const c of index.formals()) if (matches(c)) all.push(c);
  all.sort((a, b) => a.id - b.id);
  return page(all, q.pageNo, q.pageSize);
}
