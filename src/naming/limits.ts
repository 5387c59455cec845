// Explicit bounds on what naming accepts and holds, so one client cannot exhaust the node.
// Name limits follow Nacos's parameter checker (ParamCheckRule); the rest are ours.
export const NAMING_LIMITS = {
  namespaceLength: 64,
  serviceNameLength: 512,
  groupLength: 128,
  clusterLength: 64,
  /** Hostnames and textual IPv6 fit in this. */
  ipLength: 128,
  /** An instance's or service's metadata, as JSON. Nacos's checker allows 1024; we allow more, never less. */
  metadataBytes: 16 * 1024,
  metadataEntries: 128,
  /** Instances of one service (ephemeral and persistent together). */
  instancesPerService: 20_000,
  /** Instances in one BatchInstanceRequest. */
  batchInstances: 1_000,
  /** Subscribers of one service (gRPC and UDP together). */
  subscribersPerService: 20_000,
  /** Fuzzy-watch patterns of one connection. */
  fuzzyPatternsPerConnection: 20,
  /** Services one fuzzy-watch pattern reports. */
  fuzzyMatchesPerPattern: 20_000,
  /** Largest page the list endpoints return. */
  pageSize: 10_000,
} as const;

export const MIN_WEIGHT = 0;
export const MAX_WEIGHT = 10_000;
