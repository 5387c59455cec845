// Small builders shared by the naming unit tests.
import type { Instance } from "../../../../src/naming/model/instance.ts";
import type { ServiceKey } from "../../../../src/naming/model/names.ts";

export const SVC: ServiceKey = { namespace: "public", group: "DEFAULT_GROUP", name: "orders" };

export function inst(ip: string, port = 8080, extra: Partial<Instance> = {}): Instance {
  return {
    instanceId: `${ip}#${port}#DEFAULT#DEFAULT_GROUP@@orders`,
    ip,
    port,
    weight: 1,
    healthy: true,
    enabled: true,
    ephemeral: true,
    clusterName: "DEFAULT",
    metadata: {},
    ...extra,
  };
}

export const TIMING = { intervalMs: 5000, unhealthyAfterMs: 15_000, removeAfterMs: 30_000 };
