// A configuration is named by (namespace, group, dataId). Nacos treats the namespace "" and "public"
// as the same one; we store and index it as "" and let each protocol show it the way its clients expect.

export const PUBLIC_NAMESPACE = "public";

export interface ConfigKey {
  /** "" for the public namespace. */
  readonly namespace: string;
  readonly group: string;
  readonly dataId: string;
}

/** "" and "public" (any case of blank) become ""; other ids are trimmed. */
export function normalizeNamespace(raw: string | undefined | null): string {
  const trimmed = (raw ?? "").trim();
  return trimmed === PUBLIC_NAMESPACE ? "" : trimmed;
}

/** The namespace as Nacos 2.x+ names it in responses that spell it out ("public" for the default one). */
export function namespaceIdOf(namespace: string): string {
  return namespace === "" ? PUBLIC_NAMESPACE : namespace;
}

export function configKey(namespace: string, group: string, dataId: string): ConfigKey {
  return { namespace: normalizeNamespace(namespace), group, dataId };
}

// Separator that validation never lets into a dataId, group or namespace id.
const SEP = "\u0002";

/** The index key: unique per config, cheap to build on the hot read path. */
export function keyString(key: ConfigKey): string {
  return key.namespace + SEP + key.group + SEP + key.dataId;
}

export function keyStringOf(namespace: string, group: string, dataId: string): string {
  return namespace + SEP + group + SEP + dataId;
}

export function parseKeyString(s: string): ConfigKey {
  const [namespace, group, dataId] = s.split(SEP) as [string, string, string];
  return { namespace, group, dataId };
}

/**
 * Nacos's "group key" for fuzzy watch: dataId+group+namespace, with '+' and '%' escaped. The namespace
 * is always spelled out ("public" for the default one), as Nacos 3 does.
 */
export function groupKeyOf(key: ConfigKey): string {
  return `${escapeGroupKeyPart(key.dataId)}+${escapeGroupKeyPart(key.group)}+${escapeGroupKeyPart(namespaceIdOf(key.namespace))}`;
}

function escapeGroupKeyPart(s: string): string {
  return s.replace(/%/g, "%25").replace(/\+/g, "%2B");
}
