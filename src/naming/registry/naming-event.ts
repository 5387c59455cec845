// Every change to the registry is one of these events, emitted after it happened. Push merging,
// fuzzy watch and metrics listen to them; a Distro replicator ships the ephemeral ones to peers and
// applies theirs with origin "replica" (which it must not ship back).
import type { Instance } from "../model/instance.ts";
import type { ServiceKey } from "../model/names.ts";
import type { ServiceDefinition } from "../model/service-definition.ts";
import type { InstanceOwner } from "./instance-owner.ts";

export type RemovalReason = "deregistered" | "expired" | "disconnected" | "replaced";
export type EventOrigin = "local" | "replica";

export type NamingEvent =
  | {
      type: "instance.upserted";
      service: ServiceKey;
      instance: Instance;
      /** The instance as it was, when this replaced or changed one. */
      previous: Instance | undefined;
      owner: InstanceOwner;
      at: number;
      origin: EventOrigin;
    }
  | { type: "instance.removed"; service: ServiceKey; instance: Instance; owner: InstanceOwner; reason: RemovalReason; at: number; origin: EventOrigin }
  | { type: "service.defined"; service: ServiceKey; definition: ServiceDefinition; at: number; origin: EventOrigin }
  | { type: "service.undefined"; service: ServiceKey; at: number; origin: EventOrigin }
  /** The service went from no instances to some ("added") or from some to none ("emptied"). */
  | { type: "service.populated" | "service.emptied"; service: ServiceKey; at: number }
  /** The in-memory entry was dropped (empty, undefined and unwatched for a while). */
  | { type: "service.dropped"; service: ServiceKey; at: number };

export type NamingEventListener = (event: NamingEvent) => void;
