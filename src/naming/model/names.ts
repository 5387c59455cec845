// Naming's coordinates: namespace → group → service → cluster → instance, and their Nacos defaults.
// A service is addressed by ServiceKey; its string form `namespace@@group@@service` is Nacos's own
// service key (fuzzy watch sends it to clients), so it is also the registry's map key.

export const DEFAULT_NAMESPACE = "public";
export const DEFAULT_GROUP = "DEFAULT_GROUP";
export const DEFAULT_CLUSTER = "DEFAULT";
/** Separates group and service in a grouped name, and the parts of a service key. */
export const NAME_SPLITTER = "@@";

export interface ServiceKey {
  readonly namespace: string;
  readonly group: string;
  readonly name: string;
}

/** "" and undefined mean the default namespace, as in Nacos. */
export function namespaceOrDefault(namespace: string | undefined | null): string {
  return namespace === undefined || namespace === null || namespace.trim() === "" ? DEFAULT_NAMESPACE : namespace.trim();
}

export function groupOrDefault(group: string | undefined | null): string {
  return group === undefined || group === null || group.trim() === "" ? DEFAULT_GROUP : group.trim();
}

export function clusterOrDefault(cluster: string | undefined | null): string {
  return cluster === undefined || cluster === null || cluster.trim() === "" ? DEFAULT_CLUSTER : cluster.trim();
}

export function serviceKey(namespace: string, group: string, name: string): ServiceKey {
  return { namespace, group, name };
}

/** `namespace@@group@@service`. */
export function serviceKeyString(key: ServiceKey): string {
  return key.namespace + NAME_SPLITTER + key.group + NAME_SPLITTER + key.name;
}

export function parseServiceKeyString(text: string): ServiceKey {
  const [namespace = "", group = "", ...rest] = text.split(NAME_SPLITTER);
  return { namespace, group, name: rest.join(NAME_SPLITTER) };
}

/** `group@@service`, the name 1.x clients and the v1 API use. */
export function groupedName(key: Pick<ServiceKey, "group" | "name">): string {
  return key.group + NAME_SPLITTER + key.name;
}

/**
 * Splits a v1 `serviceName` that may carry its group (`group@@service`); a plain name takes
 * `group` (or DEFAULT_GROUP). The parts are validated later, not here.
 */
export function splitGroupedName(serviceName: string, group?: string): { group: string; name: string } {
  const at = serviceName.indexOf(NAME_SPLITTER);
  if (at < 0) return { group: groupOrDefault(group), name: serviceName };
  return { group: serviceName.slice(0, at), name: serviceName.slice(at + NAME_SPLITTER.length) };
}
