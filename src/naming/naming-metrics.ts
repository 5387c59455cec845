// A snapshot of naming's state for /nacos/v1/ns/operator/metrics: Nacos's counters plus ours
// (self-preservation, push pipeline).
import type { PreservationStatus } from "./heartbeat/beat-checker.ts";
import type { NamingPushStats } from "./push/naming-push.ts";
import type { SubscriberRegistry } from "./push/subscriber-registry.ts";
import type { NamingRegistry } from "./registry/naming-registry.ts";

export interface NamingMetrics {
  serviceCount: number;
  instanceCount: number;
  ephemeralInstanceCount: number;
  persistentInstanceCount: number;
  healthyInstanceCount: number;
  subscribeCount: number;
  clientCount: number;
  connectionBasedClientCount: number;
  ephemeralIpPortClientCount: number;
  persistentIpPortClientCount: number;
  responsibleClientCount: number;
  /** Heartbeats received since start. */
  beatCount: number;
  selfPreservation: PreservationStatus;
  push: NamingPushStats;
}

export function namingMetrics(registry: NamingRegistry, subscribers: SubscriberRegistry, preservation: PreservationStatus, push: NamingPushStats, beatCount: number): NamingMetrics {
  let instances = 0;
  let ephemeral = 0;
  let healthy = 0;
  const beatClients = new Set<string>();
  const persistentClients = new Set<string>();
  for (const entry of registry.entries()) {
    for (const r of entry.instances.values()) {
      instances++;
      if (r.instance.healthy) healthy++;
      if (r.instance.ephemeral) ephemeral++;
      if (r.owner.kind === "beat") beatClients.add(`${r.instance.ip}:${r.instance.port}`);
      if (r.owner.kind === "persistent") persistentClients.add(`${r.instance.ip}:${r.instance.port}`);
    }
  }
  const connections = registry.connectionCount();
  const clients = connections + beatClients.size + persistentClients.size;
  return {
    serviceCount: registry.serviceCount,
    instanceCount: instances,
    ephemeralInstanceCount: ephemeral,
    persistentInstanceCount: instances - ephemeral,
    healthyInstanceCount: healthy,
    subscribeCount: subscribers.count(),
    clientCount: clients,
    connectionBasedClientCount: connections,
    ephemeralIpPortClientCount: beatClients.size,
    persistentIpPortClientCount: persistentClients.size,
    responsibleClientCount: clients,
    beatCount,
    selfPreservation: preservation,
    push,
  };
}
