// One service in memory: its definition, its instances by ip#port, and a revision that moves on
// every visible change (views are cached per revision).
import type { HeartbeatTiming, Instance } from "../model/instance.ts";
import { serviceKeyString, type ServiceKey } from "../model/names.ts";
import { defaultServiceDefinition, type ServiceDefinition } from "../model/service-definition.ts";
import type { InstanceOwner } from "./instance-owner.ts";

export interface InstanceRecord {
  instance: Instance;
  owner: InstanceOwner;
  registeredAt: number;
  /** Last heartbeat (or registration); only beat-owned instances expire by it. */
  lastBeatAt: number;
  /** Beat-owned instances: their timing, from metadata or the defaults. */
  timing: HeartbeatTiming;
}

export class ServiceEntry {
  readonly id: string;
  /** Set when the definition came from the API (persisted); a default one otherwise. */
  defined = false;
  definition: ServiceDefinition = defaultServiceDefinition();
  readonly instances = new Map<string, InstanceRecord>();
  revision = 0;
  changedAt: number;
  /** When the last instance left (for dropping unused entries), undefined while it has instances. */
  emptySince: number | undefined;
  /** Views built for this revision (see view/service-view.ts); cleared when the revision moves. */
  readonly views = new Map<string, unknown>();

  constructor(
    readonly key: ServiceKey,
    now: number,
  ) {
    this.id = serviceKeyString(key);
    this.changedAt = now;
    this.emptySince = now;
  }

  touch(now: number): void {
    this.revision++;
    this.changedAt = now;
    this.views.clear();
  }

  get healthyCount(): number {
    let n = 0;
    for (const r of this.instances.values()) if (r.instance.healthy) n++;
    return n;
  }

  clusterNames(): string[] {
    const names = new Set<string>();
    for (const r of this.instances.values()) names.add(r.instance.clusterName);
    return [...names].sort();
  }
}
