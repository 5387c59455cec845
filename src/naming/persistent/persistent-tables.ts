// SQL for the replicated naming tables (migrations 20, 21): service definitions and persistent
// instances. Used inside state-machine commands (writes) and at load (reads).
import type { Database } from "bun:sqlite";
import type { Instance } from "../model/instance.ts";
import type { ServiceKey } from "../model/names.ts";
import type { ServiceDefinition } from "../model/service-definition.ts";
import { defaultServiceDefinition } from "../model/service-definition.ts";

export const NAMING_TABLES = ["naming_service", "naming_instance"] as const;

interface InstanceRow {
  namespace: string;
  group_name: string;
  service: string;
  ip: string;
  port: number;
  cluster: string;
  instance_id: string;
  weight: number;
  healthy: number;
  enabled: number;
  metadata: string;
}

export function readDefinition(db: Database, key: ServiceKey): ServiceDefinition | undefined {
  const row = db
    .query("SELECT definition FROM naming_service WHERE namespace = ? AND group_name = ? AND service = ?")
    .get(key.namespace, key.group, key.name) as { definition: string } | null;
  return row ? parseDefinition(row.definition) : undefined;
}

export function writeDefinition(db: Database, key: ServiceKey, definition: ServiceDefinition, at: number): void {
  db.run(
    `INSERT INTO naming_service (namespace, group_name, service, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (namespace, group_name, service) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
    [key.namespace, key.group, key.name, JSON.stringify(definition), at, at],
  );
}

export function deleteDefinition(db: Database, key: ServiceKey): boolean {
  return db.run("DELETE FROM naming_service WHERE namespace = ? AND group_name = ? AND service = ?", [key.namespace, key.group, key.name]).changes > 0;
}

export function countInstances(db: Database, key: ServiceKey): number {
  const row = db
    .query("SELECT count(*) AS n FROM naming_instance WHERE namespace = ? AND group_name = ? AND service = ?")
    .get(key.namespace, key.group, key.name) as { n: number };
  return row.n;
}

export function readInstance(db: Database, key: ServiceKey, ip: string, port: number): Instance | undefined {
  const row = db
    .query("SELECT * FROM naming_instance WHERE namespace = ? AND group_name = ? AND service = ? AND ip = ? AND port = ?")
    .get(key.namespace, key.group, key.name, ip, port) as InstanceRow | null;
  return row ? toInstance(row) : undefined;
}

export function writeInstance(db: Database, key: ServiceKey, i: Instance, at: number): void {
  db.run(
    `INSERT INTO naming_instance (namespace, group_name, service, ip, port, cluster, instance_id, weight, healthy, enabled, metadata, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (namespace, group_name, service, ip, port) DO UPDATE SET cluster = excluded.cluster, instance_id = excluded.instance_id,
       weight = excluded.weight, healthy = excluded.healthy, enabled = excluded.enabled, metadata = excluded.metadata, updated_at = excluded.updated_at`,
    [key.namespace, key.group, key.name, i.ip, i.port, i.clusterName, i.instanceId, i.weight, i.healthy ? 1 : 0, i.enabled ? 1 : 0, JSON.stringify(i.metadata), at, at],
  );
}

export function deleteInstance(db: Database, key: ServiceKey, ip: string, port: number): boolean {
  return (
    db.run("DELETE FROM naming_instance WHERE namespace = ? AND group_name = ? AND service = ? AND ip = ? AND port = ?", [key.namespace, key.group, key.name, ip, port])
      .changes > 0
  );
}

export function setInstanceHealth(db: Database, key: ServiceKey, ip: string, port: number, healthy: boolean, at: number): boolean {
  return (
    db.run("UPDATE naming_instance SET healthy = ?, updated_at = ? WHERE namespace = ? AND group_name = ? AND service = ? AND ip = ? AND port = ? AND healthy != ?", [
      healthy ? 1 : 0,
      at,
      key.namespace,
      key.group,
      key.name,
      ip,
      port,
      healthy ? 1 : 0,
    ]).changes > 0
  );
}

export function allDefinitions(db: Database): { key: ServiceKey; definition: ServiceDefinition }[] {
  const rows = db.query("SELECT namespace, group_name, service, definition FROM naming_service").all() as {
    namespace: string;
    group_name: string;
    service: string;
    definition: string;
  }[];
  return rows.map((r) => ({ key: { namespace: r.namespace, group: r.group_name, name: r.service }, definition: parseDefinition(r.definition) }));
}

export function allInstances(db: Database): { key: ServiceKey; instance: Instance }[] {
  const rows = db.query("SELECT * FROM naming_instance").all() as InstanceRow[];
  return rows.map((r) => ({ key: { namespace: r.namespace, group: r.group_name, name: r.service }, instance: toInstance(r) }));
}

function toInstance(r: InstanceRow): Instance {
  return {
    instanceId: r.instance_id,
    ip: r.ip,
    port: r.port,
    weight: r.weight,
    healthy: r.healthy === 1,
    enabled: r.enabled === 1,
    ephemeral: false,
    clusterName: r.cluster,
    metadata: JSON.parse(r.metadata) as Record<string, string>,
  };
}

function parseDefinition(text: string): ServiceDefinition {
  return { ...defaultServiceDefinition(), ...(JSON.parse(text) as Partial<ServiceDefinition>) };
}
