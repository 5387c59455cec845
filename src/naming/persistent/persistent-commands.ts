// The Raft commands that change persistent naming state: service definitions, cluster health-check
// settings and persistent instances. Each applies deterministically to SQLite (time travels in the
// payload) and updates the in-memory registry after the batch committed. Refusals are DomainErrors.
import type { Database } from "bun:sqlite";
import type { StateMachine } from "../../raft/state-machine.ts";
import type { Instance } from "../model/instance.ts";
import { groupedName, type ServiceKey } from "../model/names.ts";
import { type ClusterDefinition, defaultServiceDefinition, type ServiceDefinition } from "../model/service-definition.ts";
import { badParam, instanceNotFound, NamingCode } from "../naming-errors.ts";
import { PERSISTENT_OWNER } from "../registry/instance-owner.ts";
import type { NamingRegistry } from "../registry/naming-registry.ts";
import * as tables from "./persistent-tables.ts";

export const NamingCommand = {
  putService: "naming.service.put",
  deleteService: "naming.service.delete",
  putCluster: "naming.cluster.put",
  putInstance: "naming.instance.put",
  deleteInstance: "naming.instance.delete",
  setHealth: "naming.instance.health",
} as const;

export interface PutServicePayload {
  service: ServiceKey;
  definition: ServiceDefinition;
  /** create: refused when the service is already defined; update: writes either way. */
  mode: "create" | "update";
  at: number;
}
export interface DeleteServicePayload {
  service: ServiceKey;
  at: number;
}
export interface PutClusterPayload {
  service: ServiceKey;
  cluster: string;
  definition: ClusterDefinition;
  at: number;
}
export interface PutInstancePayload {
  service: ServiceKey;
  instance: Instance;
  /** An update of an existing instance: refused when there is none. */
  mustExist: boolean;
  at: number;
}
export interface InstanceAddressPayload {
  service: ServiceKey;
  ip: string;
  port: number;
  at: number;
}
export interface SetHealthPayload extends InstanceAddressPayload {
  healthy: boolean;
}

export function registerNamingCommands(sm: StateMachine, registry: NamingRegistry): void {
  sm.registerTables(...tables.NAMING_TABLES);

  sm.register<PutServicePayload, ServiceDefinition>(NamingCommand.putService, {
    apply(db, p, ctx) {
      if (p.mode === "create" && tables.readDefinition(db, p.service)) {
        throw badParam(`specified service ${groupedName(p.service)} already exists!`, NamingCode.SERVICE_ALREADY_EXIST);
      }
      tables.writeDefinition(db, p.service, p.definition, p.at);
      ctx.afterCommit(() => registry.define(p.service, p.definition, p.at));
      return p.definition;
    },
  });

  sm.register<DeleteServicePayload, boolean>(NamingCommand.deleteService, {
    apply(db, p, ctx) {
      refuseWhenPersistentInstances(db, p.service);
      const existed = tables.deleteDefinition(db, p.service);
      ctx.afterCommit(() => {
        registry.undefine(p.service, p.at);
        registry.forgetIfEmpty(p.service, p.at);
      });
      return existed;
    },
  });

  sm.register<PutClusterPayload, ServiceDefinition>(NamingCommand.putCluster, {
    apply(db, p, ctx) {
      const current = tables.readDefinition(db, p.service) ?? defaultServiceDefinition();
      const definition: ServiceDefinition = { ...current, clusters: { ...current.clusters, [p.cluster]: p.definition } };
      tables.writeDefinition(db, p.service, definition, p.at);
      ctx.afterCommit(() => registry.define(p.service, definition, p.at));
      return definition;
    },
  });

  sm.register<PutInstancePayload, Instance>(NamingCommand.putInstance, {
    apply(db, p, ctx) {
      const existing = tables.readInstance(db, p.service, p.instance.ip, p.instance.port);
      if (p.mustExist && !existing) {
        throw instanceNotFound(`no persistent instance ${p.instance.ip}:${p.instance.port} in service ${groupedName(p.service)}`);
      }
      tables.writeInstance(db, p.service, p.instance, p.at);
      ctx.afterCommit(() => {
        // Raft is authoritative: an ephemeral instance that slipped in at this address gives way.
        registry.remove(p.service, p.instance.ip, p.instance.port, "replaced", p.at, (r) => r.owner.kind !== "persistent");
        registry.upsert(p.service, p.instance, PERSISTENT_OWNER, p.at);
      });
      return p.instance;
    },
  });

  sm.register<InstanceAddressPayload, boolean>(NamingCommand.deleteInstance, {
    apply(db, p, ctx) {
      const removed = tables.deleteInstance(db, p.service, p.ip, p.port);
      if (removed) ctx.afterCommit(() => registry.remove(p.service, p.ip, p.port, "deregistered", p.at, (r) => r.owner.kind === "persistent"));
      return removed;
    },
  });

  sm.register<SetHealthPayload, boolean>(NamingCommand.setHealth, {
    apply(db, p, ctx) {
      const changed = tables.setInstanceHealth(db, p.service, p.ip, p.port, p.healthy, p.at);
      if (changed) ctx.afterCommit(() => registry.setHealth(p.service, p.ip, p.port, p.healthy, p.at));
      return changed;
    },
  });
}

function refuseWhenPersistentInstances(db: Database, service: ServiceKey): void {
  if (tables.countInstances(db, service) > 0) {
    throw badParam(`Service ${groupedName(service)} is not empty, can't be delete. Please unregister instance first`, NamingCode.SERVICE_DELETE_FAILURE);
  }
}

/** Puts every persisted definition and instance into the registry (at start and after a snapshot restore). */
export function loadPersistentState(db: Database, registry: NamingRegistry, now: number): { services: number; instances: number } {
  registry.clearPersistent(now);
  const definitions = tables.allDefinitions(db);
  for (const { key, definition } of definitions) registry.define(key, definition, now);
  const instances = tables.allInstances(db);
  for (const { key, instance } of instances) {
    registry.remove(key, instance.ip, instance.port, "replaced", now, (r) => r.owner.kind !== "persistent");
    registry.upsert(key, instance, PERSISTENT_OWNER, now);
  }
  return { services: definitions.length, instances: instances.length };
}
