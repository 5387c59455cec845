// Self-preservation: when a large share of instances would expire at the same moment, the likely
// cause is the network between clients and this node, not the services; expiring them would empty
// the registry for everyone. So expiry pauses (for the service, or the whole node) until heartbeats
// come back, and the state is logged and exposed in metrics.
//
// "Would expire within one window": an instance is at risk when it will cross its next deadline
// (unhealthy, then removal) within one heartbeat interval unless it beats. Instances that beat on
// time never are; a network cut puts nearly all of them at risk within one interval of each other,
// while services dying one by one put few at risk at once.

export interface SelfPreservationPolicy {
  enabled: boolean;
  /** Preserve when more than this share (0..1) of instances is at risk. */
  threshold: number;
  /** A service (or node) with fewer beat-renewed instances never preserves: one lost instance of two is not a pattern. */
  minInstances: number;
}

export function shouldPreserve(total: number, atRisk: number, policy: SelfPreservationPolicy): boolean {
  return policy.enabled && total > 0 && total >= policy.minInstances && atRisk / total > policy.threshold;
}

/** True when the instance reaches its next deadline within one heartbeat interval from now. */
export function isAtRisk(silentMs: number, healthy: boolean, timing: { intervalMs: number; unhealthyAfterMs: number; removeAfterMs: number }): boolean {
  const next = healthy ? timing.unhealthyAfterMs : timing.removeAfterMs;
  return silentMs + timing.intervalMs >= next;
}
