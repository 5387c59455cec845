// Checks every name and field an adapter hands to naming; a failure is a DomainError ("invalid",
// 400) whose message names the parameter and what is allowed.
import { isIP } from "node:net";
import { badParam, NamingCode } from "./naming-errors.ts";
import { MAX_WEIGHT, MIN_WEIGHT, NAMING_LIMITS } from "./limits.ts";
import { NAME_SPLITTER } from "./model/names.ts";

const NAMESPACE = /^[\w-]+$/;
const GROUP = /^[a-zA-Z0-9\-_:.]+$/;
const CLUSTER = /^[0-9a-zA-Z\-_]+$/;
// Whitespace and CJK are refused in service names, as Nacos's checker does.
const SERVICE_FORBIDDEN = /[\s\u4e00-\u9fa5]/;
const HOST_LABEL = /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/;

export function checkNamespace(namespace: string): string {
  if (namespace.length > NAMING_LIMITS.namespaceLength || !NAMESPACE.test(namespace)) {
    throw badParam(`Param 'namespaceId' is illegal: at most ${NAMING_LIMITS.namespaceLength} letters, digits, '_' or '-' (got ${JSON.stringify(clip(namespace))})`, NamingCode.ILLEGAL_NAMESPACE);
  }
  return namespace;
}

export function checkGroup(group: string): string {
  if (group.length === 0 || group.length > NAMING_LIMITS.groupLength || !GROUP.test(group)) {
    throw badParam(`Param 'groupName' is illegal: 1-${NAMING_LIMITS.groupLength} letters, digits or '-_:.' (got ${JSON.stringify(clip(group))})`);
  }
  return group;
}

export function checkServiceName(name: string): string {
  const problem =
    name.trim() === "" ? "it is blank"
    : name.length > NAMING_LIMITS.serviceNameLength ? `it is longer than ${NAMING_LIMITS.serviceNameLength} characters`
    : name.startsWith("@") ? "it starts with '@'"
    : name.includes(NAME_SPLITTER) ? `it contains '${NAME_SPLITTER}' (use groupName@@serviceName or the groupName parameter)`
    : SERVICE_FORBIDDEN.test(name) ? "it contains whitespace or CJK characters"
    : undefined;
  if (problem) throw badParam(`Param 'serviceName' is illegal: ${problem} (got ${JSON.stringify(clip(name))})`, NamingCode.SERVICE_NAME_ERROR);
  return name;
}

export function checkCluster(cluster: string, param = "clusterName"): string {
  if (cluster.length > NAMING_LIMITS.clusterLength || !CLUSTER.test(cluster)) {
    throw badParam(`Param '${param}' is illegal: 1-${NAMING_LIMITS.clusterLength} letters, digits, '-' or '_' (got ${JSON.stringify(clip(cluster))})`, NamingCode.INSTANCE_ERROR);
  }
  return cluster;
}

/** An IPv4 or IPv6 address, or an RFC 1123 hostname. */
export function checkIp(ip: string): string {
  const host = ip.trim();
  if (host === "") throw badParam("Param 'ip' is required.", NamingCode.PARAMETER_MISSING);
  if (host.length <= NAMING_LIMITS.ipLength && (isIP(host) !== 0 || isHostname(host))) return host;
  throw badParam(`Param 'ip' is illegal: expected an IPv4 or IPv6 address or a hostname (got ${JSON.stringify(clip(host))})`, NamingCode.INSTANCE_ERROR);
}

function isHostname(host: string): boolean {
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // All-numeric dotted names are malformed IPv4 addresses, not hostnames.
  if (labels.every((l) => /^\d+$/.test(l))) return false;
  return labels.every((l) => HOST_LABEL.test(l));
}

export function checkPort(port: unknown): number {
  const n = typeof port === "string" && /^\s*\d+\s*$/.test(port) ? Number(port) : port;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw badParam(`Param 'port' is illegal: expected an integer 1-65535 (got ${JSON.stringify(port)})`, NamingCode.INSTANCE_ERROR);
  }
  return n;
}

export function checkWeight(weight: unknown): number {
  const n = typeof weight === "string" && weight.trim() !== "" ? Number(weight) : weight;
  if (typeof n !== "number" || !Number.isFinite(n) || n < MIN_WEIGHT || n > MAX_WEIGHT) {
    throw badParam(`instance format invalid: The weights range from ${MIN_WEIGHT} to ${MAX_WEIGHT} (got ${JSON.stringify(weight)})`, NamingCode.WEIGHT_ERROR);
  }
  return n;
}

export function checkProtectThreshold(value: unknown): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw badParam(`Param 'protectThreshold' is illegal: expected a number from 0 to 1 (got ${JSON.stringify(value)})`, NamingCode.SERVICE_METADATA_ERROR);
  }
  return n;
}

/** "true"/"false" (any case) and booleans; anything else is refused rather than guessed. */
export function checkBoolean(value: unknown, param: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
  }
  throw badParam(`Param '${param}' is illegal: expected true or false (got ${JSON.stringify(value)})`);
}

/**
 * Metadata as Nacos accepts it: a JSON object of strings, or "k=v,k2=v2". Values that are numbers
 * or booleans become strings (SDKs send them either way); nested objects are refused.
 */
export function parseMetadata(raw: string | undefined, code: number = NamingCode.INSTANCE_METADATA_ERROR): Record<string, string> {
  if (raw === undefined || raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    const out: Record<string, string> = {};
    for (const pair of raw.split(",")) {
      const kv = pair.split("=");
      if (kv.length !== 2) throw badParam(`metadata format incorrect:${clip(raw)}`, code);
      out[kv[0]!] = kv[1]!;
    }
    return checkMetadata(out, code);
  }
  return checkMetadata(parsed, code);
}

export function checkMetadata(value: unknown, code: number = NamingCode.INSTANCE_METADATA_ERROR): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badParam("metadata must be a JSON object of strings", code);
  const out: Record<string, string> = {};
  let entries = 0;
  // Characters, counted as JSON would write them ("k":"v",): a close, cheap bound on the size.
  let size = 2;
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (v === null || v === undefined) continue;
    if (typeof v === "object") throw badParam(`metadata value of ${JSON.stringify(clip(k))} must be a string`, code);
    const text = typeof v === "string" ? v : String(v);
    out[k] = text;
    size += k.length + text.length + 6;
    entries++;
  }
  if (entries > NAMING_LIMITS.metadataEntries) throw badParam(`metadata has ${entries} entries; at most ${NAMING_LIMITS.metadataEntries} are allowed`, code);
  if (size > NAMING_LIMITS.metadataBytes) throw badParam(`metadata is about ${size} characters as JSON; at most ${NAMING_LIMITS.metadataBytes} are allowed`, code);
  return out;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
