// One registered endpoint of a service. Field names are the Nacos API's (Instance.java), so the
// wire views are plain copies of this record.
import { groupedName, type ServiceKey } from "./names.ts";

export interface Instance {
  readonly instanceId: string;
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly healthy: boolean;
  readonly enabled: boolean;
  /** true: lives by heartbeat or connection, in memory; false: persistent, replicated through Raft. */
  readonly ephemeral: boolean;
  readonly clusterName: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Within a service an instance is identified by ip and port (its cluster is an attribute). */
export function instanceKey(ip: string, port: number): string {
  return `${ip}#${port}`;
}

/** Nacos's default instance id: `ip#port#cluster#group@@service`. */
export function defaultInstanceId(service: Pick<ServiceKey, "group" | "name">, ip: string, port: number, cluster: string): string {
  return `${ip}#${port}#${cluster}#${groupedName(service)}`;
}

/** Instance metadata keys that tune heartbeats (milliseconds), as in Nacos PreservedMetadataKeys. */
export const PRESERVED_KEYS = {
  heartBeatInterval: "preserved.heart.beat.interval",
  heartBeatTimeout: "preserved.heart.beat.timeout",
  ipDeleteTimeout: "preserved.ip.delete.timeout",
  instanceIdGenerator: "preserved.instance.id.generator",
} as const;

export interface HeartbeatTiming {
  /** How often the client should beat; answered to the client as clientBeatInterval. */
  intervalMs: number;
  /** Without a beat for this long the instance turns unhealthy. */
  unhealthyAfterMs: number;
  /** Without a beat for this long the instance is removed. */
  removeAfterMs: number;
}

/**
 * The instance's own timing where its metadata sets it (positive integers), else the defaults
 * (the same object: most instances share it rather than carrying a copy each).
 */
export function heartbeatTiming(metadata: Readonly<Record<string, string>>, defaults: HeartbeatTiming): HeartbeatTiming {
  if (metadata[PRESERVED_KEYS.heartBeatInterval] === undefined && metadata[PRESERVED_KEYS.heartBeatTimeout] === undefined && metadata[PRESERVED_KEYS.ipDeleteTimeout] === undefined) {
    return defaults;
  }
  const read = (key: string, fallback: number) => {
    const raw = metadata[key];
    if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
    const n = Number(raw);
    return n > 0 ? n : fallback;
  };
  return {
    intervalMs: read(PRESERVED_KEYS.heartBeatInterval, defaults.intervalMs),
    unhealthyAfterMs: read(PRESERVED_KEYS.heartBeatTimeout, defaults.unhealthyAfterMs),
    removeAfterMs: read(PRESERVED_KEYS.ipDeleteTimeout, defaults.removeAfterMs),
  };
}
