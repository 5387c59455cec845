// Expires heartbeat-owned instances: unhealthy after their heartbeat timeout, removed after their
// delete timeout (instance metadata preserved.heart.beat.* overrides the settings), unless
// self-preservation holds expiry for the service or the whole node. Driven by check(now), which the
// module calls every second and tests call with a fake clock.
import type { Logger } from "../../log.ts";
import { groupedName } from "../model/names.ts";
import type { NamingRegistry } from "../registry/naming-registry.ts";
import type { InstanceRecord, ServiceEntry } from "../registry/service-entry.ts";
import { isAtRisk, type SelfPreservationPolicy, shouldPreserve } from "./self-preservation.ts";

export interface CheckOutcome {
  markedUnhealthy: number;
  removed: number;
  /** Expirations held back by self-preservation in this check. */
  suppressed: number;
  nodePreserved: boolean;
  preservedServices: string[];
}

export interface PreservationStatus {
  enabled: boolean;
  nodePreserved: boolean;
  /** Service ids (namespace@@group@@service) under service-level preservation. */
  preservedServices: string[];
  /** Expirations held back since start. */
  suppressedTotal: number;
  /** Share of beat-renewed instances at risk at the last check. */
  nodeAtRiskShare: number;
}

interface Due {
  record: InstanceRecord;
  action: "unhealthy" | "remove";
}

export class BeatChecker {
  private nodePreserved = false;
  private preserved = new Set<string>();
  private suppressedTotal = 0;
  private nodeAtRiskShare = 0;
  private paused = false;

  constructor(
    private readonly registry: NamingRegistry,
    private readonly policy: SelfPreservationPolicy,
    private readonly log: Logger,
  ) {}

  /** While paused (the node is draining) nothing expires: clients are moving, not dying. */
  pause(): void {
    this.paused = true;
  }

  status(): PreservationStatus {
    return {
      enabled: this.policy.enabled,
      nodePreserved: this.nodePreserved,
      preservedServices: [...this.preserved].sort(),
      suppressedTotal: this.suppressedTotal,
      nodeAtRiskShare: this.nodeAtRiskShare,
    };
  }

  check(now: number): CheckOutcome {
    const outcome: CheckOutcome = { markedUnhealthy: 0, removed: 0, suppressed: 0, nodePreserved: false, preservedServices: [] };
    if (this.paused) return outcome;
    const plans: { entry: ServiceEntry; due: Due[]; total: number; atRisk: number }[] = [];
    let nodeTotal = 0;
    let nodeAtRisk = 0;
    for (const entry of this.registry.entries()) {
      let total = 0;
      let atRisk = 0;
      const due: Due[] = [];
      for (const record of entry.instances.values()) {
        if (record.owner.kind !== "beat") continue;
        total++;
        const silent = now - record.lastBeatAt;
        const { timing } = record;
        if (isAtRisk(silent, record.instance.healthy, timing)) atRisk++;
        if (silent >= timing.removeAfterMs) due.push({ record, action: "remove" });
        else if (record.instance.healthy && silent >= timing.unhealthyAfterMs) due.push({ record, action: "unhealthy" });
      }
      if (total === 0) continue;
      nodeTotal += total;
      nodeAtRisk += atRisk;
      plans.push({ entry, due, total, atRisk });
    }
    this.nodeAtRiskShare = nodeTotal === 0 ? 0 : nodeAtRisk / nodeTotal;
    const nodePreserve = shouldPreserve(nodeTotal, nodeAtRisk, this.policy);
    this.noteNode(nodePreserve, nodeTotal, nodeAtRisk);
    const preservedNow = new Set<string>();
    for (const plan of plans) {
      const servicePreserve = shouldPreserve(plan.total, plan.atRisk, this.policy);
      if (servicePreserve) {
        preservedNow.add(plan.entry.id);
        if (!this.preserved.has(plan.entry.id)) {
          this.log.warn("self-preservation: too many instances of one service would expire at once; holding expiry until heartbeats return", {
            service: groupedName(plan.entry.key),
            namespace: plan.entry.key.namespace,
            atRisk: plan.atRisk,
            instances: plan.total,
            threshold: this.policy.threshold,
          });
        }
      }
      if (servicePreserve || nodePreserve) {
        outcome.suppressed += plan.due.length;
        continue;
      }
      for (const { record, action } of plan.due) {
        const { ip, port } = record.instance;
        if (action === "remove") {
          if (this.registry.remove(plan.entry.key, ip, port, "expired", now, (r) => r === record)) outcome.removed++;
        } else if (this.registry.setHealth(plan.entry.key, ip, port, false, now)) {
          outcome.markedUnhealthy++;
        }
      }
    }
    for (const id of this.preserved) {
      if (!preservedNow.has(id)) this.log.info("self-preservation ended for service: heartbeats are back", { service: id });
    }
    this.preserved = preservedNow;
    this.suppressedTotal += outcome.suppressed;
    outcome.nodePreserved = nodePreserve;
    outcome.preservedServices = [...preservedNow];
    return outcome;
  }

  private noteNode(preserve: boolean, total: number, atRisk: number): void {
    if (preserve && !this.nodePreserved) {
      this.log.warn("self-preservation: too many instances on this node would expire at once (network trouble?); holding all expiry until heartbeats return", {
        atRisk,
        instances: total,
        threshold: this.policy.threshold,
      });
    } else if (!preserve && this.nodePreserved) {
      this.log.info("self-preservation ended for the node: heartbeats are back", { atRisk, instances: total });
    }
    this.nodePreserved = preserve;
  }
}
