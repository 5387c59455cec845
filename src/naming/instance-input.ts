// Turns what a client sent for an instance (any protocol) into a validated Instance, with Nacos's
// defaults: weight 1, healthy, enabled, cluster DEFAULT, instance id ip#port#cluster#group@@service.
import { badParam, NamingCode } from "./naming-errors.ts";
import { defaultInstanceId, heartbeatTiming, type HeartbeatTiming, type Instance, PRESERVED_KEYS } from "./model/instance.ts";
import { clusterOrDefault, type ServiceKey } from "./model/names.ts";
import { checkCluster, checkIp, checkMetadata, checkPort, checkWeight } from "./validation.ts";

export interface InstanceInput {
  ip: unknown;
  port: unknown;
  weight?: unknown;
  healthy?: boolean;
  enabled?: boolean;
  ephemeral?: boolean;
  clusterName?: string;
  metadata?: unknown;
  instanceId?: string;
}

export function buildInstance(service: ServiceKey, input: InstanceInput, defaultEphemeral = true): Instance {
  if (input.ip === undefined || input.ip === null || String(input.ip).trim() === "") throw badParam("Param 'ip' is required.", NamingCode.PARAMETER_MISSING);
  if (input.port === undefined || input.port === null || input.port === "") throw badParam("Param 'port' is required.", NamingCode.PARAMETER_MISSING);
  const ip = checkIp(String(input.ip));
  const port = checkPort(input.port);
  const clusterName = checkCluster(clusterOrDefault(input.clusterName));
  const weight = input.weight === undefined || input.weight === null || input.weight === "" ? 1 : checkWeight(input.weight);
  const metadata = checkMetadata(input.metadata);
  const instanceId = input.instanceId?.trim() ? input.instanceId.trim() : defaultInstanceId(service, ip, port, clusterName);
  return {
    instanceId,
    ip,
    port,
    weight,
    healthy: input.healthy ?? true,
    enabled: input.enabled ?? true,
    ephemeral: input.ephemeral ?? defaultEphemeral,
    clusterName,
    metadata,
  };
}

/** Nacos checkInstanceIsLegal: the beat interval must be shorter than both timeouts. */
export function checkTiming(instance: Instance, defaults: HeartbeatTiming): HeartbeatTiming {
  const timing = heartbeatTiming(instance.metadata, defaults);
  if (timing.unhealthyAfterMs < timing.intervalMs || timing.removeAfterMs < timing.intervalMs) {
    throw badParam(
      `Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout' (${PRESERVED_KEYS.heartBeatInterval}=${timing.intervalMs}, ${PRESERVED_KEYS.heartBeatTimeout}=${timing.unhealthyAfterMs}, ${PRESERVED_KEYS.ipDeleteTimeout}=${timing.removeAfterMs})`,
      NamingCode.INSTANCE_ERROR,
    );
  }
  return timing;
}
