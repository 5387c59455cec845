// The in-memory registry: every service this node knows and every instance in it, ephemeral and
// persistent. Mutations take the time as a parameter and report each change as a NamingEvent.
// Rules that depend on who owns an instance (persistent ones are only changed through Raft, a
// connection only replaces its own instances) live here, so every protocol gets the same answers.
import { invalid } from "../../errors.ts";
import { type HeartbeatTiming, type Instance, instanceKey } from "../model/instance.ts";
import { groupedName, serviceKeyString, type ServiceKey } from "../model/names.ts";
import type { ServiceDefinition } from "../model/service-definition.ts";
import { defaultServiceDefinition } from "../model/service-definition.ts";
import { NAMING_LIMITS } from "../limits.ts";
import { overLimit } from "../naming-errors.ts";
import { type InstanceOwner, sameOwner } from "./instance-owner.ts";
import type { EventOrigin, NamingEvent, NamingEventListener, RemovalReason } from "./naming-event.ts";
import { type InstanceRecord, ServiceEntry } from "./service-entry.ts";

export interface UpsertOptions {
  /** Beat-owned instances: their heartbeat timing. */
  timing?: HeartbeatTiming;
  origin?: EventOrigin;
  /** Keep the previous heartbeat time (an update from the API is not a heartbeat). */
  keepBeat?: boolean;
}

const NO_TIMING: HeartbeatTiming = { intervalMs: 0, unhealthyAfterMs: 0, removeAfterMs: 0 };

export class NamingRegistry {
  private readonly services = new Map<string, ServiceEntry>();
  /** connection id → service id → instance keys it owns there. */
  private readonly byConnection = new Map<string, Map<string, Set<string>>>();
  private readonly listeners = new Set<NamingEventListener>();

  /** `reportError` hears listener failures; the change itself has happened by then. */
  constructor(private readonly reportError: (err: unknown) => void = () => {}) {}

  /** Subscribes; returns the unsubscribe function. Listeners run synchronously after each change. */
  onEvent(listener: NamingEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(key: ServiceKey): ServiceEntry | undefined {
    return this.services.get(serviceKeyString(key));
  }

  getById(id: string): ServiceEntry | undefined {
    return this.services.get(id);
  }

  entries(): IterableIterator<ServiceEntry> {
    return this.services.values();
  }

  get serviceCount(): number {
    return this.services.size;
  }

  instanceCount(): number {
    let n = 0;
    for (const s of this.services.values()) n += s.instances.size;
    return n;
  }

  connectionCount(): number {
    return this.byConnection.size;
  }

  /** Instances a connection owns, by service id. */
  ownedBy(connectionId: string): ReadonlyMap<string, ReadonlySet<string>> {
    return this.byConnection.get(connectionId) ?? new Map();
  }

  ensure(key: ServiceKey, now: number): ServiceEntry {
    const id = serviceKeyString(key);
    let entry = this.services.get(id);
    if (!entry) {
      entry = new ServiceEntry({ namespace: key.namespace, group: key.group, name: key.name }, now);
      this.services.set(id, entry);
    }
    return entry;
  }

  /**
   * Adds or replaces the instance at its ip#port. A persistent instance is only replaced by a
   * persistent write and an ephemeral one only by an ephemeral write: mixing would let a heartbeat
   * client silently take over a Raft-managed endpoint. Re-registering identical data only renews.
   */
  upsert(key: ServiceKey, instance: Instance, owner: InstanceOwner, now: number, options: UpsertOptions = {}): InstanceRecord {
    return this.upsertInto(this.ensure(key, now), instance, owner, now, options);
  }

  /** Removes the instance at ip#port when `allowed` agrees (default: always); returns it, or undefined. */
  remove(
    key: ServiceKey,
    ip: string,
    port: number,
    reason: RemovalReason,
    now: number,
    allowed: (record: InstanceRecord) => boolean = () => true,
    origin: EventOrigin = "local",
  ): Instance | undefined {
    const entry = this.get(key);
    if (!entry) return undefined;
    const ik = instanceKey(ip, port);
    const record = entry.instances.get(ik);
    if (!record || !allowed(record)) return undefined;
    this.removeRecord(entry, ik, record, reason, now, origin);
    return record.instance;
  }

  /** Sets an instance's health; no event when it already had it. */
  setHealth(key: ServiceKey, ip: string, port: number, healthy: boolean, now: number, origin: EventOrigin = "local"): boolean {
    const entry = this.get(key);
    const record = entry?.instances.get(instanceKey(ip, port));
    if (!entry || !record || record.instance.healthy === healthy) return false;
    const previous = record.instance;
    record.instance = { ...previous, healthy };
    entry.touch(now);
    this.emit({ type: "instance.upserted", service: entry.key, instance: record.instance, previous, owner: record.owner, at: now, origin });
    return true;
  }

  /** A heartbeat: renews a beat-owned instance and heals it if it had turned unhealthy. */
  renew(key: ServiceKey, ip: string, port: number, now: number): InstanceRecord | undefined {
    const record = this.get(key)?.instances.get(instanceKey(ip, port));
    if (!record || record.owner.kind !== "beat") return undefined;
    record.lastBeatAt = now;
    if (!record.instance.healthy) this.setHealth(key, ip, port, true, now);
    return record;
  }

  /**
   * Makes `instances` the connection's only instances in the service (Nacos: one publication per
   * client and service; a batch is one publication of many). Others it owned there are removed.
   */
  replaceForConnection(key: ServiceKey, connectionId: string, owner: InstanceOwner, instances: Instance[], now: number): void {
    const entry = this.ensure(key, now);
    const owned = this.byConnection.get(connectionId)?.get(entry.id);
    if (owned) {
      const keep = instances.length === 1 ? undefined : new Set(instances.map((i) => instanceKey(i.ip, i.port)));
      const only = instances.length === 1 ? instanceKey(instances[0]!.ip, instances[0]!.port) : undefined;
      // Removing the current element while iterating a Set is safe in JavaScript.
      for (const ik of owned) {
        if (ik === only || keep?.has(ik)) continue;
        const record = entry.instances.get(ik);
        if (record) this.removeRecord(entry, ik, record, "replaced", now, "local");
      }
    }
    for (const instance of instances) this.upsertInto(entry, instance, owner, now);
  }

  /** Removes every instance the connection owns in the service; returns how many. */
  removeForConnection(key: ServiceKey, connectionId: string, reason: RemovalReason, now: number): number {
    const entry = this.get(key);
    const owned = entry ? this.byConnection.get(connectionId)?.get(entry.id) : undefined;
    if (!entry || !owned) return 0;
    let n = 0;
    for (const ik of [...owned]) {
      const record = entry.instances.get(ik);
      if (record) {
        this.removeRecord(entry, ik, record, reason, now, "local");
        n++;
      }
    }
    return n;
  }

  /** Removes everything a closed connection owned. */
  dropConnection(connectionId: string, now: number): number {
    const owned = this.byConnection.get(connectionId);
    if (!owned) return 0;
    let n = 0;
    for (const serviceId of [...owned.keys()]) {
      const entry = this.services.get(serviceId);
      if (entry) n += this.removeForConnection(entry.key, connectionId, "disconnected", now);
    }
    this.byConnection.delete(connectionId);
    return n;
  }

  define(key: ServiceKey, definition: ServiceDefinition, now: number, origin: EventOrigin = "local"): void {
    const entry = this.ensure(key, now);
    entry.defined = true;
    entry.definition = definition;
    entry.touch(now);
    this.emit({ type: "service.defined", service: entry.key, definition, at: now, origin });
  }

  undefine(key: ServiceKey, now: number, origin: EventOrigin = "local"): void {
    const entry = this.get(key);
    if (!entry || !entry.defined) return;
    entry.defined = false;
    entry.definition = defaultServiceDefinition();
    entry.touch(now);
    this.emit({ type: "service.undefined", service: entry.key, at: now, origin });
    if (entry.instances.size === 0) this.drop(entry, now);
  }

  /** Drops the entry when it has no instances and no definition (a deleted service). */
  forgetIfEmpty(key: ServiceKey, now: number): void {
    const entry = this.get(key);
    if (entry && !entry.defined && entry.instances.size === 0) this.drop(entry, now);
  }

  /** Drops entries that have no instances, no definition and nobody `inUse` for `graceMs`. */
  pruneEmpty(now: number, graceMs: number, inUse: (entry: ServiceEntry) => boolean): number {
    let n = 0;
    for (const entry of [...this.services.values()]) {
      if (entry.defined || entry.emptySince === undefined || now - entry.emptySince < graceMs || inUse(entry)) continue;
      this.drop(entry, now);
      n++;
    }
    return n;
  }

  /** Forgets every persistent instance and definition (before reloading them from SQLite). */
  clearPersistent(now: number): void {
    for (const entry of [...this.services.values()]) {
      for (const [ik, record] of [...entry.instances]) {
        if (record.owner.kind === "persistent") this.removeRecord(entry, ik, record, "replaced", now, "local");
      }
      if (entry.defined) this.undefine(entry.key, now);
    }
  }

  private drop(entry: ServiceEntry, now: number): void {
    this.services.delete(entry.id);
    this.emit({ type: "service.dropped", service: entry.key, at: now });
  }

  private upsertInto(entry: ServiceEntry, instance: Instance, owner: InstanceOwner, now: number, options: UpsertOptions = {}): InstanceRecord {
    const ik = instanceKey(instance.ip, instance.port);
    const existing = entry.instances.get(ik);
    if (existing && (existing.owner.kind === "persistent") !== (owner.kind === "persistent")) {
      const kind = existing.owner.kind === "persistent" ? "persistent" : "ephemeral";
      throw invalid(
        `instance ${instance.ip}:${instance.port} of service ${groupedName(entry.key)} is ${kind}; deregister it before registering it as ${kind === "persistent" ? "ephemeral" : "persistent"}`,
        21004,
      );
    }
    if (!existing && entry.instances.size >= NAMING_LIMITS.instancesPerService) {
      throw overLimit(`service ${groupedName(entry.key)} has ${entry.instances.size} instances; at most ${NAMING_LIMITS.instancesPerService} are allowed`);
    }
    const record: InstanceRecord = {
      instance,
      owner,
      registeredAt: existing?.registeredAt ?? now,
      lastBeatAt: options.keepBeat && existing ? existing.lastBeatAt : now,
      timing: options.timing ?? existing?.timing ?? NO_TIMING,
    };
    if (existing && existing.owner.kind === "connection" && !sameOwner(existing.owner, owner)) {
      this.unindex(existing.owner.connectionId, entry.id, ik);
    }
    entry.instances.set(ik, record);
    if (owner.kind === "connection") this.index(owner.connectionId, entry.id, ik);
    if (existing && sameOwner(existing.owner, owner) && sameInstance(existing.instance, instance)) return record;
    entry.touch(now);
    const wasEmpty = entry.emptySince !== undefined;
    entry.emptySince = undefined;
    this.emit({ type: "instance.upserted", service: entry.key, instance, previous: existing?.instance, owner, at: now, origin: options.origin ?? "local" });
    if (wasEmpty) this.emit({ type: "service.populated", service: entry.key, at: now });
    return record;
  }

  private removeRecord(entry: ServiceEntry, ik: string, record: InstanceRecord, reason: RemovalReason, now: number, origin: EventOrigin): void {
    entry.instances.delete(ik);
    if (record.owner.kind === "connection") this.unindex(record.owner.connectionId, entry.id, ik);
    entry.touch(now);
    this.emit({ type: "instance.removed", service: entry.key, instance: record.instance, owner: record.owner, reason, at: now, origin });
    if (entry.instances.size === 0) {
      entry.emptySince = now;
      this.emit({ type: "service.emptied", service: entry.key, at: now });
    }
  }

  private index(connectionId: string, serviceId: string, ik: string): void {
    let services = this.byConnection.get(connectionId);
    if (!services) this.byConnection.set(connectionId, (services = new Map()));
    let keys = services.get(serviceId);
    if (!keys) services.set(serviceId, (keys = new Set()));
    keys.add(ik);
  }

  private unindex(connectionId: string, serviceId: string, ik: string): void {
    const services = this.byConnection.get(connectionId);
    const keys = services?.get(serviceId);
    if (!services || !keys) return;
    keys.delete(ik);
    if (keys.size === 0) services.delete(serviceId);
    if (services.size === 0) this.byConnection.delete(connectionId);
  }

  private emit(event: NamingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.reportError(err);
      }
    }
  }
}

function sameInstance(a: Instance, b: Instance): boolean {
  if (
    a.instanceId !== b.instanceId ||
    a.weight !== b.weight ||
    a.healthy !== b.healthy ||
    a.enabled !== b.enabled ||
    a.ephemeral !== b.ephemeral ||
    a.clusterName !== b.clusterName
  ) {
    return false;
  }
  const ak = Object.keys(a.metadata);
  if (ak.length !== Object.keys(b.metadata).length) return false;
  for (const k of ak) if (a.metadata[k] !== b.metadata[k]) return false;
  return true;
}
