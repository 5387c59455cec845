// The long-polling wire format (Nacos MD5Util): the request's Listening-Configs holds, per key,
// dataId ^B group ^B md5 [^B tenant] ^A; the answer lists changed keys as dataId ^B group [^B tenant] ^A,
// URL-encoded, followed by a newline.
import { invalid } from "../../errors.ts";
import { keyStringOf, normalizeNamespace } from "../model/config-key.ts";
import type { ListenedKey } from "./long-poll-registry.ts";

const WORD = "\u0002";
const LINE = "\u0001";

/** Nacos refuses more than 10,000 keys in one request. */
export const MAX_LISTENED_KEYS = 10_000;

/** Parses Listening-Configs; `tenant` (a separate form field the npm client sends) fills in missing tenants. */
export function parseListeningConfigs(raw: string): ListenedKey[] {
  const out = new Map<string, ListenedKey>();
  for (const line of raw.split(LINE)) {
    if (line === "") continue;
    const parts = line.split(WORD);
    if (parts.length < 3 || parts.length > 4) throw invalid("invalid probeModify");
    const [dataId, group, md5, tenant = ""] = parts as [string, string, string, string?];
    if (dataId === "" || group === "") throw invalid("invalid probeModify");
    const key = keyStringOf(normalizeNamespace(tenant), group, dataId);
    out.set(key, { key, dataId, group, tenant, md5 });
    if (out.size > MAX_LISTENED_KEYS) throw invalid("invalid protocol, too much listener");
  }
  return [...out.values()];
}

/** The body of a long-poll answer: changed keys, URL-encoded, then a newline ("" when nothing changed). */
export function formatChangedKeys(changed: ListenedKey[]): string {
  if (changed.length === 0) return "";
  let s = "";
  for (const k of changed) {
    s += k.dataId + WORD + k.group;
    if (k.tenant !== "") s += WORD + k.tenant;
    s += LINE;
  }
  return encodeURIComponent(s) + "\n";
}
