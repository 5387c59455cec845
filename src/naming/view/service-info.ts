// The ServiceInfo document every discovery answer carries (api ServiceInfo + Instance as Jackson
// writes them): HTTP v1/v2 instance lists, gRPC query/subscribe responses and both kinds of push.
// Built once per service revision and query shape, then reused until the service changes: a hot
// list endpoint serialises nothing.
import { type HeartbeatTiming, heartbeatTiming, type Instance, PRESERVED_KEYS } from "../model/instance.ts";
import { groupedName, type ServiceKey } from "../model/names.ts";
import type { ServiceEntry } from "../registry/service-entry.ts";
import { parseClusters, selectInstances } from "./select-instances.ts";

/** How long clients may cache a list before asking again (Nacos default push cache millis). */
export const CACHE_MILLIS = 10_000;

export interface HostView {
  instanceId: string;
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  serviceName: string;
  metadata: Readonly<Record<string, string>>;
  instanceHeartBeatInterval: number;
  instanceHeartBeatTimeOut: number;
  ipDeleteTimeout: number;
  instanceIdGenerator: string;
}

export interface ServiceInfoView {
  /** v1 HTTP: `group@@service` (what 1.x clients key their cache by); gRPC and v2: the plain name. */
  name: string;
  groupName: string;
  clusters: string;
  cacheMillis: number;
  hosts: HostView[];
  lastRefTime: number;
  checksum: string;
  allIps: boolean;
  reachProtectionThreshold: boolean;
  valid: boolean;
}

export interface ViewQuery {
  /** Comma-separated cluster names; "" = all. Echoed back as `clusters`. */
  clusters: string;
  healthyOnly: boolean;
  /** v1 names the service `group@@service`. */
  groupedName: boolean;
}

/**
 * One built answer. Views for HTTP and UDP (grouped names) keep only their JSON text, and the HTTP
 * body made from it; views for gRPC keep only the object the bridge serialises. Either form is
 * derived from the other on demand, so a cached view holds one copy of the hosts, not three.
 */
export class BuiltView {
  private infoValue: ServiceInfoView | undefined;
  private jsonValue: string | undefined;
  private bodyValue: Blob | undefined;
  /** The JSON gzipped, made by the HTTP adapter the first time a client accepts gzip. */
  gzipped: Blob | undefined;

  constructor(info: ServiceInfoView, asText: boolean) {
    if (asText) this.jsonValue = JSON.stringify(info);
    else this.infoValue = info;
  }

  get info(): ServiceInfoView {
    return (this.infoValue ??= JSON.parse(this.jsonValue!) as ServiceInfoView);
  }

  get json(): string {
    return (this.jsonValue ??= JSON.stringify(this.infoValue));
  }

  /** The JSON as an HTTP body: a Response made from a Blob shares it instead of copying the bytes. */
  get body(): Blob {
    return (this.bodyValue ??= new Blob([this.json], { type: JSON_TYPE }));
  }
}

const JSON_TYPE = "application/json;charset=UTF-8";

export function emptyView(key: ServiceKey, query: ViewQuery, now: number): BuiltView {
  const info: ServiceInfoView = {
    name: query.groupedName ? groupedName(key) : key.name,
    groupName: key.group,
    clusters: query.clusters,
    cacheMillis: CACHE_MILLIS,
    hosts: [],
    lastRefTime: now,
    checksum: "",
    allIps: false,
    reachProtectionThreshold: false,
    valid: true,
  };
  return new BuiltView(info, query.groupedName);
}

/** The view of `entry` for `query`, from the entry's cache when its revision has not moved. */
export function serviceView(entry: ServiceEntry | undefined, key: ServiceKey, query: ViewQuery, defaults: HeartbeatTiming, now: number): BuiltView {
  if (!entry) return emptyView(key, query, now);
  const cacheKey = `${query.groupedName ? "g" : "p"}${query.healthyOnly ? "h" : "a"}|${query.clusters}`;
  const cached = entry.views.get(cacheKey) as BuiltView | undefined;
  if (cached) return cached;
  const selection = selectInstances(
    [...entry.instances.values()].map((r) => r.instance),
    { clusters: parseClusters(query.clusters), healthyOnly: query.healthyOnly, enabledOnly: true },
    entry.definition.protectThreshold,
  );
  const serviceName = groupedName(entry.key);
  const hosts = selection.hosts.map((i) => hostView(i, serviceName, defaults));
  const hostsJson = JSON.stringify(hosts);
  const info: ServiceInfoView = {
    name: query.groupedName ? serviceName : entry.key.name,
    groupName: entry.key.group,
    clusters: query.clusters,
    cacheMillis: CACHE_MILLIS,
    hosts,
    lastRefTime: now,
    checksum: new Bun.CryptoHasher("md5").update(hostsJson).digest("hex"),
    allIps: false,
    reachProtectionThreshold: selection.reachProtectionThreshold,
    valid: true,
  };
  const built = new BuiltView(info, query.groupedName);
  // Few distinct query shapes exist per service; the bound keeps odd cluster lists from piling up.
  if (entry.views.size >= 32) entry.views.clear();
  entry.views.set(cacheKey, built);
  return built;
}

export function hostView(i: Instance, serviceName: string, defaults: HeartbeatTiming): HostView {
  const timing = heartbeatTiming(i.metadata, defaults);
  return {
    instanceId: i.instanceId,
    ip: i.ip,
    port: i.port,
    weight: i.weight,
    healthy: i.healthy,
    enabled: i.enabled,
    ephemeral: i.ephemeral,
    clusterName: i.clusterName,
    serviceName,
    metadata: i.metadata,
    instanceHeartBeatInterval: timing.intervalMs,
    instanceHeartBeatTimeOut: timing.unhealthyAfterMs,
    ipDeleteTimeout: timing.removeAfterMs,
    instanceIdGenerator: i.metadata[PRESERVED_KEYS.instanceIdGenerator] ?? "simple",
  };
}
