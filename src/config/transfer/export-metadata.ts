// The metadata entries of a Nacos export zip:
// - ".metadata.yml" (exportV2): YAML `metadata:` list of {appName, configTags, dataId, desc, group, type};
// - ".meta.yml" (old export): lines "group.dataId~ext.app=appName" (the dataId's last '.' written as '~').
// The YAML here is the block shape SnakeYAML writes for it; the reader accepts that shape with plain,
// single- or double-quoted scalars.
import { invalid } from "../../errors.ts";

export const METADATA_V2_NAME = ".metadata.yml";
export const METADATA_V1_NAME = ".meta.yml";

export interface ExportItemMetadata {
  dataId: string;
  group: string;
  type?: string;
  desc?: string;
  appName?: string;
  configTags?: string;
}

const FIELDS = ["appName", "configTags", "dataId", "desc", "group", "type"] as const;

function yamlScalar(value: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

export function writeMetadataYaml(items: ExportItemMetadata[]): string {
  if (items.length === 0) return "metadata: []\n";
  let out = "metadata:\n";
  for (const item of items) {
    let first = true;
    for (const f of FIELDS) {
      const v = item[f];
      if (v === undefined || v === "") continue;
      out += `${first ? "- " : "  "}${f}: ${yamlScalar(v)}\n`;
      first = false;
    }
  }
  return out;
}

/** A scalar: "double-quoted" (JSON escapes), 'single-quoted' ('' for '), or plain up to a " #" comment. */
function scalar(raw: string): string {
  const v = raw.trim();
  if (v.startsWith('"')) {
    const end = closingDoubleQuote(v);
    try {
      return JSON.parse(v.slice(0, end + 1)) as string;
    } catch {
      throw invalid(`metadata value ${v} is not a valid quoted string`);
    }
  }
  if (v.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'/.exec(v);
    if (!m) throw invalid(`metadata value ${v} is not a valid quoted string`);
    return m[1]!.replace(/''/g, "'");
  }
  const plain = v.replace(/\s+#.*$/, "");
  return plain === "~" || plain === "null" ? "" : plain;
}

function closingDoubleQuote(v: string): number {
  for (let i = 1; i < v.length; i++) {
    if (v[i] === "\\") i++;
    else if (v[i] === '"') return i;
  }
  throw invalid(`metadata value ${v} is not a valid quoted string`);
}

/** Parses `.metadata.yml`; throws DomainError("invalid") when it is not that shape. */
export function readMetadataYaml(text: string): ExportItemMetadata[] {
  const items: Record<string, string>[] = [];
  let inList = false;
  for (const line of text.split(/\r?\n/)) {
    const rawLine = line;
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    if (/^metadata:\s*\[\s*\]\s*$/.test(line)) return [];
    if (/^metadata:\s*$/.test(line)) {
      inList = true;
      continue;
    }
    if (!inList) throw invalid("metadata must start with a `metadata:` list");
    const m = /^(\s*)(-\s+)?([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (!m) throw invalid(`metadata line not understood: ${rawLine.trim()}`);
    if (m[2]) items.push({});
    const current = items[items.length - 1];
    if (!current) throw invalid(`metadata line outside a list item: ${rawLine.trim()}`);
    current[m[3]!] = scalar(m[4]!);
  }
  return items.map((i) => ({ dataId: i.dataId ?? "", group: i.group ?? "", type: i.type, desc: i.desc, appName: i.appName, configTags: i.configTags }));
}

/** The old `.meta.yml` name of a config: group.dataId with the dataId's last '.' as '~'. */
export function legacyMetadataKey(group: string, dataId: string): string {
  const dot = dataId.lastIndexOf(".");
  const id = dot >= 0 ? `${dataId.slice(0, dot)}~${dataId.slice(dot + 1)}` : dataId;
  return `${group}.${id}.app`;
}

export function writeLegacyMetadata(items: { group: string; dataId: string; appName: string }[]): string {
  return items
    .filter((i) => i.appName !== "")
    .map((i) => `${legacyMetadataKey(i.group, i.dataId)}=${i.appName}\r\n`)
    .join("");
}

/** Parses `.meta.yml` into key → appName; throws when a line is not key=value. */
export function readLegacyMetadata(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/[\r\n]+/)) {
    if (line === "") continue;
    const parts = line.split("=");
    if (parts.length !== 2) throw invalid(`metadata line not understood: ${line}`);
    out.set(parts[0]!, parts[1]!);
  }
  return out;
}
