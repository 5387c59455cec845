// Which instances a query returns (Nacos ServiceUtil.selectInstancesWithHealthyProtection):
// instances of the asked clusters that are enabled; only healthy ones when asked; and when the
// healthy share of those falls below the service's protect threshold, all of them, reported
// healthy, so a wave of failed health checks cannot empty the service for its callers.
// Two deliberate differences from Nacos's code:
// - "below" is strict, as Nacos documents the threshold; its code compares with <=, which makes the
//   default threshold 0 report a service whose instances are all unhealthy as all healthy.
// - protection also applies to healthyOnly queries (as in Nacos 1.x): otherwise a healthyOnly
//   caller would see the very emptying the threshold exists to prevent.
import type { Instance } from "../model/instance.ts";

export interface Selection {
  hosts: Instance[];
  reachProtectionThreshold: boolean;
}

export function selectInstances(
  instances: Iterable<Instance>,
  query: { clusters: ReadonlySet<string>; healthyOnly: boolean; enabledOnly: boolean },
  protectThreshold: number,
): Selection {
  const all: Instance[] = [];
  let healthy = 0;
  for (const i of instances) {
    if (query.clusters.size > 0 && !query.clusters.has(i.clusterName)) continue;
    if (query.enabledOnly && !i.enabled) continue;
    all.push(i);
    if (i.healthy) healthy++;
  }
  const threshold = Math.max(0, protectThreshold);
  if (all.length > 0 && healthy / all.length < threshold) {
    return { hosts: all.map((i) => (i.healthy ? i : { ...i, healthy: true })), reachProtectionThreshold: true };
  }
  return { hosts: query.healthyOnly ? all.filter((i) => i.healthy) : all, reachProtectionThreshold: false };
}

/** "a,b" → {a, b}; blanks dropped. */
export function parseClusters(clusters: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!clusters) return out;
  for (const c of clusters.split(",")) if (c.trim() !== "") out.add(c.trim());
  return out;
}
