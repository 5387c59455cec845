// The one naming service every protocol calls (HTTP v1, HTTP v2, gRPC): registration, heartbeats,
// discovery, service definitions and subscriptions. Ephemeral instances change in memory at once;
// persistent instances and service definitions change only through Raft commands. Adapters
// translate wire formats and call this; the rules are here and below.
import type { Logger } from "../log.ts";
import type { Proposer } from "../raft/proposer.ts";
import { buildInstance, checkTiming, type InstanceInput } from "./instance-input.ts";
import { NAMING_LIMITS } from "./limits.ts";
import { type HeartbeatTiming, type Instance, instanceKey } from "./model/instance.ts";
import { groupedName, type ServiceKey, serviceKeyString } from "./model/names.ts";
import { type ClusterDefinition, defaultClusterDefinition, type Selector, type ServiceDefinition } from "./model/service-definition.ts";
import { badParam, instanceNotFound, NamingCode, serviceNotFound } from "./naming-errors.ts";
import {
  type DeleteServicePayload,
  type InstanceAddressPayload,
  NamingCommand,
  type PutClusterPayload,
  type PutInstancePayload,
  type PutServicePayload,
  type SetHealthPayload,
} from "./persistent/persistent-commands.ts";
import { BEAT_OWNER, connectionOwner } from "./registry/instance-owner.ts";
import type { NamingRegistry } from "./registry/naming-registry.ts";
import type { InstanceRecord, ServiceEntry } from "./registry/service-entry.ts";
import type { Subscriber, SubscriberRegistry } from "./push/subscriber-registry.ts";
import { checkGroup, checkNamespace, checkServiceName } from "./validation.ts";
import { type BuiltView, serviceView } from "./view/service-info.ts";

/** Who is calling: an HTTP client (its ephemeral instances live by heartbeats) or a gRPC connection. */
export type Caller = { kind: "http" } | { kind: "grpc"; connectionId: string };

export const HTTP_CALLER: Caller = Object.freeze({ kind: "http" });

/** Nacos beat answer codes (NamingResponseCode). */
export const BEAT_OK = 10200;
export const BEAT_UNKNOWN_INSTANCE = 20404;

export interface BeatInfo {
  ip: string;
  port: number;
  cluster?: string;
  weight?: number;
  metadata?: Record<string, string>;
}

export interface BeatResult {
  code: number;
  clientBeatIntervalMs: number;
}

export interface ServiceDefinitionInput {
  protectThreshold?: number;
  metadata?: Record<string, string>;
  selector?: Selector;
}

export interface ListQuery {
  clusters: string;
  healthyOnly: boolean;
  /** v1 HTTP names the service group@@service. */
  groupedName: boolean;
}

export interface UdpSubscription {
  ip: string;
  port: number;
  agent: string;
  app: string;
}

export interface NamingServiceDeps {
  registry: NamingRegistry;
  subscribers: SubscriberRegistry;
  proposer: Proposer;
  now: () => number;
  /** Heartbeat defaults from the settings. */
  timing: HeartbeatTiming;
  log: Logger;
}

export class NamingService {
  private draining = false;
  private beats = 0;

  constructor(private readonly deps: NamingServiceDeps) {}

  get registry(): NamingRegistry {
    return this.deps.registry;
  }

  /** Heartbeats received since start. */
  get beatCount(): number {
    return this.beats;
  }

  get timing(): HeartbeatTiming {
    return this.deps.timing;
  }

  // --- instances ---------------------------------------------------------------------------------

  /** Registers one instance. Ephemeral ones belong to the caller; persistent ones go through Raft. */
  async register(key: ServiceKey, input: InstanceInput, caller: Caller): Promise<Instance> {
    checkServiceKey(key);
    const instance = buildInstance(key, input, true);
    if (!instance.ephemeral) return this.putPersistent(key, instance, false);
    const timing = checkTiming(instance, this.deps.timing);
    const now = this.deps.now();
    if (caller.kind === "grpc") {
      this.deps.registry.replaceForConnection(key, caller.connectionId, connectionOwner(caller.connectionId), [instance], now);
    } else {
      this.deps.registry.upsert(key, instance, BEAT_OWNER, now, { timing });
    }
    return instance;
  }

  /** gRPC BatchInstanceRequest: the connection's instances in the service become exactly these. */
  batchRegister(key: ServiceKey, inputs: InstanceInput[], connectionId: string): Instance[] {
    checkServiceKey(key);
    if (inputs.length > NAMING_LIMITS.batchInstances) {
      throw badParam(`a batch may hold at most ${NAMING_LIMITS.batchInstances} instances (got ${inputs.length})`, NamingCode.INSTANCE_ERROR);
    }
    const instances = inputs.map((input) => {
      const instance = buildInstance(key, input, true);
      if (!instance.ephemeral) {
        throw badParam(`Batch registration does not allow persistent instance registration, Instance: ${instance.ip}:${instance.port}`, NamingCode.INSTANCE_ERROR);
      }
      checkTiming(instance, this.deps.timing);
      return instance;
    });
    const seen = new Set<string>();
    for (const i of instances) {
      const ik = instanceKey(i.ip, i.port);
      if (seen.has(ik)) throw badParam(`the batch holds ${i.ip}:${i.port} twice`, NamingCode.INSTANCE_ERROR);
      seen.add(ik);
    }
    this.deps.registry.replaceForConnection(key, connectionId, connectionOwner(connectionId), instances, this.deps.now());
    return instances;
  }

  /** HTTP deregister: removes the instance at ip:port, through Raft when it is persistent. */
  async deregister(key: ServiceKey, ip: string, port: number): Promise<void> {
    checkServiceKey(key);
    const record = this.record(key, ip, port);
    if (!record) return;
    if (record.owner.kind === "persistent") {
      await this.propose<InstanceAddressPayload>(NamingCommand.deleteInstance, { service: key, ip, port, at: this.deps.now() });
      return;
    }
    this.deps.registry.remove(key, ip, port, "deregistered", this.deps.now(), (r) => r === record);
  }

  /** gRPC deregister: removes the connection's instances in the service (Nacos: its one publication). */
  deregisterForConnection(key: ServiceKey, connectionId: string): number {
    checkServiceKey(key);
    return this.deps.registry.removeForConnection(key, connectionId, "deregistered", this.deps.now());
  }

  /** Persistent register/deregister (gRPC PersistentInstanceRequest, HTTP ephemeral=false). */
  async registerPersistent(key: ServiceKey, input: InstanceInput): Promise<Instance> {
    checkServiceKey(key);
    return this.putPersistent(key, buildInstance(key, { ...input, ephemeral: false }, false), false);
  }

  async deregisterPersistent(key: ServiceKey, ip: string, port: number): Promise<void> {
    checkServiceKey(key);
    const record = this.record(key, ip, port);
    if (record && record.owner.kind !== "persistent") {
      throw badParam(`instance ${ip}:${port} of service ${groupedName(key)} is ephemeral; deregister it as ephemeral`, NamingCode.INSTANCE_ERROR);
    }
    await this.propose<InstanceAddressPayload>(NamingCommand.deleteInstance, { service: key, ip, port, at: this.deps.now() });
  }

  /**
   * A 1.x heartbeat. Renews the instance (healing it if it had turned unhealthy). An unknown
   * instance is registered again from the beat's own data when it carries some (Nacos 2.x does
   * this); a light beat for an unknown instance answers 20404 so the client registers again.
   */
  beat(key: ServiceKey, ip: string, port: number, beat: BeatInfo | undefined): BeatResult {
    checkServiceKey(key);
    this.beats++;
    const now = this.deps.now();
    const record = this.record(key, ip, port);
    if (record) {
      if (record.owner.kind === "beat") this.deps.registry.renew(key, ip, port, now);
      return { code: BEAT_OK, clientBeatIntervalMs: record.timing.intervalMs || this.deps.timing.intervalMs };
    }
    if (!beat) return { code: BEAT_UNKNOWN_INSTANCE, clientBeatIntervalMs: this.deps.timing.intervalMs };
    const instance = buildInstance(key, { ip, port, clusterName: beat.cluster, weight: beat.weight, metadata: beat.metadata }, true);
    const timing = checkTiming(instance, this.deps.timing);
    this.deps.registry.upsert(key, instance, BEAT_OWNER, now, { timing });
    return { code: BEAT_OK, clientBeatIntervalMs: timing.intervalMs };
  }

  /**
   * Changes the given fields of an existing instance (weight, enabled, metadata, cluster); fields
   * not given keep their values. Persistent instances change through Raft.
   */
  async update(key: ServiceKey, ip: string, port: number, change: { weight?: unknown; enabled?: boolean; metadata?: unknown; healthy?: boolean }): Promise<Instance> {
    checkServiceKey(key);
    const record = this.record(key, ip, port);
    if (!record) {
      if (!this.deps.registry.get(key)) throw serviceNotFound(groupedName(key), key.namespace);
      throw instanceNotFound(`no instance ${ip}:${port} in service ${groupedName(key)}`);
    }
    const current = record.instance;
    const next = buildInstance(
      key,
      {
        ip: current.ip,
        port: current.port,
        clusterName: current.clusterName,
        instanceId: current.instanceId,
        weight: change.weight ?? current.weight,
        enabled: change.enabled ?? current.enabled,
        healthy: record.owner.kind === "persistent" && change.healthy !== undefined ? change.healthy : current.healthy,
        metadata: change.metadata ?? current.metadata,
        ephemeral: current.ephemeral,
      },
      current.ephemeral,
    );
    if (record.owner.kind === "persistent") return this.putPersistent(key, next, true);
    const timing = checkTiming(next, this.deps.timing);
    this.deps.registry.upsert(key, next, record.owner, this.deps.now(), { timing, keepBeat: true });
    return next;
  }

  /** One instance, as GET /v1/ns/instance answers it. */
  instance(key: ServiceKey, cluster: string, ip: string, port: number): Instance {
    checkServiceKey(key);
    const entry = this.deps.registry.get(key);
    if (!entry || entry.instances.size === 0) throw instanceNotFound(`no ips found for cluster ${cluster} in service ${groupedName(key)}`);
    const record = entry.instances.get(instanceKey(ip, port));
    if (!record || record.instance.clusterName !== cluster) throw instanceNotFound("no matched ip found!");
    return record.instance;
  }

  /** The ServiceInfo a client asked for; a UDP subscription is added or renewed when one is given. */
  list(key: ServiceKey, query: ListQuery, udp?: UdpSubscription): BuiltView {
    checkServiceKey(key);
    const now = this.deps.now();
    if (udp && udp.port > 0 && udp.ip !== "") {
      this.deps.subscribers.add(
        { kind: "udp", service: key, clusters: query.clusters, ip: udp.ip, port: udp.port, connectionId: undefined, agent: udp.agent, app: udp.app },
        now,
      );
    }
    return serviceView(this.deps.registry.get(key), key, query, this.deps.timing, now);
  }

  /** Every instance of the service, unfiltered (console and status views). */
  instances(key: ServiceKey): Instance[] {
    checkServiceKey(key);
    return [...(this.deps.registry.get(key)?.instances.values() ?? [])].map((r) => r.instance);
  }

  // --- gRPC subscriptions and connections ----------------------------------------------------------

  subscribe(key: ServiceKey, connectionId: string, clusters: string, clientIp: string, agent: string, app: string): BuiltView {
    checkServiceKey(key);
    const now = this.deps.now();
    this.deps.subscribers.add({ kind: "grpc", service: key, clusters, ip: clientIp, port: 0, connectionId, agent, app }, now);
    return serviceView(this.deps.registry.get(key), key, { clusters, healthyOnly: false, groupedName: false }, this.deps.timing, now);
  }

  unsubscribe(key: ServiceKey, connectionId: string, clusters: string): BuiltView {
    checkServiceKey(key);
    this.deps.subscribers.remove(key, `grpc:${connectionId}`);
    return serviceView(this.deps.registry.get(key), key, { clusters, healthyOnly: false, groupedName: false }, this.deps.timing, this.deps.now());
  }

  subscribersOf(key: ServiceKey): Subscriber[] {
    checkServiceKey(key);
    return [...this.deps.subscribers.of(serviceKeyString(key))].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * A gRPC connection closed: its instances and subscriptions go. While the node drains, its
   * instances stay: their clients are moving to another node, not dying, and other subscribers must
   * not be told they are gone.
   */
  connectionClosed(connectionId: string): void {
    this.deps.subscribers.dropConnection(connectionId);
    if (this.draining) return;
    const removed = this.deps.registry.dropConnection(connectionId, this.deps.now());
    if (removed > 0) this.deps.log.debug("removed the instances of a closed connection", { connection: connectionId, instances: removed });
  }

  beginDrain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  // --- services ----------------------------------------------------------------------------------

  async createService(key: ServiceKey, input: ServiceDefinitionInput): Promise<void> {
    checkServiceKey(key);
    const entry = this.deps.registry.get(key);
    if (entry && (entry.defined || entry.instances.size > 0)) {
      throw badParam(`specified service ${groupedName(key)} already exists!`, NamingCode.SERVICE_ALREADY_EXIST);
    }
    const definition: ServiceDefinition = {
      protectThreshold: input.protectThreshold ?? 0,
      metadata: input.metadata ?? {},
      selector: input.selector ?? { type: "none" },
      clusters: {},
    };
    await this.propose<PutServicePayload>(NamingCommand.putService, { service: key, definition, mode: "create", at: this.deps.now() });
  }

  /** Changes the given parts of a service's definition; the service must exist. */
  async updateService(key: ServiceKey, input: ServiceDefinitionInput): Promise<void> {
    const entry = this.existing(key);
    const current = entry.definition;
    const definition: ServiceDefinition = {
      protectThreshold: input.protectThreshold ?? current.protectThreshold,
      metadata: input.metadata ?? current.metadata,
      selector: input.selector ?? current.selector,
      clusters: current.clusters,
    };
    await this.propose<PutServicePayload>(NamingCommand.putService, { service: key, definition, mode: "update", at: this.deps.now() });
  }

  async deleteService(key: ServiceKey): Promise<void> {
    const entry = this.existing(key);
    if (entry.instances.size > 0) {
      throw badParam(`Service ${groupedName(key)} is not empty, can't be delete. Please unregister instance first`, NamingCode.SERVICE_DELETE_FAILURE);
    }
    await this.propose<DeleteServicePayload>(NamingCommand.deleteService, { service: key, at: this.deps.now() });
  }

  /** Sets how a cluster's persistent instances are health-checked (Nacos PUT /v1/ns/cluster). */
  async updateCluster(key: ServiceKey, cluster: string, change: Partial<ClusterDefinition>): Promise<void> {
    const entry = this.existing(key);
    const current = entry.definition.clusters[cluster] ?? defaultClusterDefinition();
    const definition: ClusterDefinition = { ...current, ...change, metadata: change.metadata ?? current.metadata };
    await this.propose<PutClusterPayload>(NamingCommand.putCluster, { service: key, cluster, definition, at: this.deps.now() });
  }

  service(key: ServiceKey): ServiceEntry {
    return this.existing(key);
  }

  /** Services of a namespace (optionally one group), sorted by group and name. */
  services(namespace: string, filter: { group?: string; nameContains?: string; groupContains?: string; nonEmpty?: boolean } = {}): ServiceEntry[] {
    const out: ServiceEntry[] = [];
    for (const entry of this.deps.registry.entries()) {
      const k = entry.key;
      if (k.namespace !== namespace) continue;
      if (filter.group !== undefined && k.group !== filter.group) continue;
      if (filter.nameContains && !k.name.includes(filter.nameContains)) continue;
      if (filter.groupContains && !k.group.includes(filter.groupContains)) continue;
      if (filter.nonEmpty && entry.instances.size === 0) continue;
      out.push(entry);
    }
    return out.sort((a, b) => (a.key.group === b.key.group ? a.key.name.localeCompare(b.key.name) : a.key.group.localeCompare(b.key.group)));
  }

  /** Records a probe's verdict on a persistent instance (through Raft). */
  async setPersistentHealth(key: ServiceKey, ip: string, port: number, healthy: boolean): Promise<void> {
    await this.propose<SetHealthPayload>(NamingCommand.setHealth, { service: key, ip, port, healthy, at: this.deps.now() });
  }

  // --- internals ---------------------------------------------------------------------------------

  private async putPersistent(key: ServiceKey, instance: Instance, mustExist: boolean): Promise<Instance> {
    const record = this.record(key, instance.ip, instance.port);
    if (record && record.owner.kind !== "persistent") {
      throw badParam(
        `instance ${instance.ip}:${instance.port} of service ${groupedName(key)} is ephemeral; deregister it before registering it as persistent`,
        NamingCode.INSTANCE_ERROR,
      );
    }
    if (!record && (this.deps.registry.get(key)?.instances.size ?? 0) >= NAMING_LIMITS.instancesPerService) {
      throw badParam(`service ${groupedName(key)} has ${NAMING_LIMITS.instancesPerService} instances; no more are allowed`, NamingCode.INSTANCE_ERROR);
    }
    const payload: PutInstancePayload = { service: key, instance: { ...instance, ephemeral: false }, mustExist, at: this.deps.now() };
    return this.propose<PutInstancePayload, Instance>(NamingCommand.putInstance, payload);
  }

  private propose<P, R = unknown>(type: string, payload: P): Promise<R> {
    return this.deps.proposer.propose<R>(type, payload);
  }

  private record(key: ServiceKey, ip: string, port: number): InstanceRecord | undefined {
    return this.deps.registry.get(key)?.instances.get(instanceKey(ip, port));
  }

  private existing(key: ServiceKey): ServiceEntry {
    checkServiceKey(key);
    const entry = this.deps.registry.get(key);
    if (!entry) throw serviceNotFound(groupedName(key), key.namespace);
    return entry;
  }
}

export function checkServiceKey(key: ServiceKey): void {
  checkNamespace(key.namespace);
  checkGroup(key.group);
  checkServiceName(key.name);
}
