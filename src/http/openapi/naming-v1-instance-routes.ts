// Nacos v1 instance API (/nacos/v1/ns/instance): register, deregister, update and detail. The two
// hot paths, list and beat, are served natively (naming-v1-native.ts). Translation only.
import { Elysia } from "elysia";
import type { Logger } from "../../log.ts";
import { clusterOrDefault, groupedName } from "../../naming/model/names.ts";
import { HTTP_CALLER, type NamingService } from "../../naming/naming-service.ts";
import { checkIp, checkPort, parseMetadata } from "../../naming/validation.ts";
import { json, optionalBoolean, params, type Params, queryOf, required, serviceKeyFrom, text, v1 } from "./naming-http.ts";

export function namingV1InstanceRoutes(naming: NamingService, log: Logger) {
  return new Elysia({ name: "naming-v1-instance" })
    .post(
      "/nacos/v1/ns/instance",
      ({ request, body }) => v1(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.register(serviceKeyFrom(p), instanceInput(p), HTTP_CALLER);
        return text("ok");
      }),
    )
    .delete(
      "/nacos/v1/ns/instance",
      ({ request, body }) => v1(log, async () => {
        const p = params(queryOf(request.url), body);
        const key = serviceKeyFrom(p);
        await naming.deregister(key, checkIp(required(p, "ip")), checkPort(required(p, "port")));
        return text("ok");
      }),
    )
    .put("/nacos/v1/ns/instance", ({ request, body }) => v1(log, () => update(naming, queryOf(request.url), body)))
    .patch("/nacos/v1/ns/instance", ({ request, body }) => v1(log, () => update(naming, queryOf(request.url), body)))
    .get(
      "/nacos/v1/ns/instance",
      ({ request }) => v1(log, () => {
        const p = params(queryOf(request.url), undefined);
        const key = serviceKeyFrom(p);
        const cluster = clusterOrDefault(p.clusterName ?? p.cluster);
        const i = naming.instance(key, cluster, checkIp(required(p, "ip")), checkPort(required(p, "port")));
        return json({
          service: groupedName(key),
          ip: i.ip,
          port: i.port,
          clusterName: i.clusterName,
          weight: i.weight,
          healthy: i.healthy,
          instanceId: i.instanceId,
          metadata: i.metadata,
        });
      }),
    );
}

async function update(naming: NamingService, query: Record<string, unknown>, body: unknown): Promise<Response> {
  const p = params(query, body);
  const key = serviceKeyFrom(p);
  await naming.update(key, checkIp(required(p, "ip")), checkPort(required(p, "port")), {
    weight: p.weight === undefined || p.weight.trim() === "" ? undefined : p.weight,
    enabled: optionalBoolean(p, "enabled") ?? optionalBoolean(p, "enable"),
    healthy: optionalBoolean(p, "healthy"),
    metadata: p.metadata === undefined ? undefined : parseMetadata(p.metadata),
  });
  return text("ok");
}

/** The instance fields of a v1 register (Nacos HttpRequestInstanceBuilder). */
export function instanceInput(p: Params) {
  return {
    ip: required(p, "ip"),
    port: required(p, "port"),
    weight: p.weight === undefined || p.weight.trim() === "" ? undefined : p.weight,
    healthy: optionalBoolean(p, "healthy"),
    enabled: optionalBoolean(p, "enabled") ?? optionalBoolean(p, "enable"),
    ephemeral: optionalBoolean(p, "ephemeral"),
    clusterName: p.clusterName?.trim() ? p.clusterName : p.cluster,
    metadata: parseMetadata(p.metadata),
  };
}

