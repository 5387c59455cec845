// What a service is apart from its instances: protect threshold, metadata, selector and per-cluster
// health checking. Defined services are persisted through Raft; a service that only exists because
// instances registered carries the default definition in memory.

export interface Selector {
  /** "none" or "label" (Nacos's two built-in selector types). */
  type: "none" | "label";
  expression?: string;
}

/** How persistent instances of a cluster are probed (Nacos AbstractHealthChecker). */
export interface HealthChecker {
  type: "TCP" | "HTTP" | "NONE";
  /** HTTP only: path requested on the instance. */
  path?: string;
  /** HTTP only: extra request headers, "name:value|name:value". */
  headers?: string;
  /** HTTP only: status that counts as healthy (default 200). */
  expectedResponseCode?: number;
}

export interface ClusterDefinition {
  healthChecker: HealthChecker;
  /** Port probed when useInstancePort4Check is false. */
  checkPort: number;
  useInstancePort4Check: boolean;
  metadata: Record<string, string>;
}

export interface ServiceDefinition {
  /** 0..1: when the healthy share of instances falls to or below it, discovery returns all. */
  protectThreshold: number;
  metadata: Record<string, string>;
  selector: Selector;
  clusters: Record<string, ClusterDefinition>;
}

export function defaultServiceDefinition(): ServiceDefinition {
  return { protectThreshold: 0, metadata: {}, selector: { type: "none" }, clusters: {} };
}

export function defaultClusterDefinition(): ClusterDefinition {
  return { healthChecker: { type: "TCP" }, checkPort: 80, useInstancePort4Check: true, metadata: {} };
}
