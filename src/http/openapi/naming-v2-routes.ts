// Nacos v2 naming API (/nacos/v2/ns/instance, /instance/list, /instance/beat, /service,
// /service/list): the same operations as v1 in the {code, message, data} envelope.
import { Elysia } from "elysia";
import type { Logger } from "../../log.ts";
import { clusterOrDefault, groupedName, namespaceOrDefault } from "../../naming/model/names.ts";
import { NAMING_LIMITS } from "../../naming/limits.ts";
import { HTTP_CALLER, type NamingService } from "../../naming/naming-service.ts";
import { checkIp, checkPort, parseMetadata } from "../../naming/validation.ts";
import { intParam, optionalBoolean, params, parseBeat, queryOf, required, serviceKeyFrom, v2, v2Ok } from "./naming-http.ts";
import { instanceInput } from "./naming-v1-instance-routes.ts";
import { definitionInput, serviceDetailV2 } from "./naming-service-json.ts";


export function namingV2Routes(naming: NamingService, log: Logger) {
  return new Elysia({ name: "naming-v2" })
    .post(
      "/nacos/v2/ns/instance",
      ({ request, body }) => v2(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.register(serviceKeyFrom(p), instanceInput(p), HTTP_CALLER);
        return v2Ok("ok");
      }),
    )
    .delete(
      "/nacos/v2/ns/instance",
      ({ request, body }) => v2(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.deregister(serviceKeyFrom(p), checkIp(required(p, "ip")), checkPort(required(p, "port")));
        return v2Ok("ok");
      }),
    )
    .put(
      "/nacos/v2/ns/instance",
      ({ request, body }) => v2(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.update(serviceKeyFrom(p), checkIp(required(p, "ip")), checkPort(required(p, "port")), {
          weight: p.weight === undefined || p.weight.trim() === "" ? undefined : p.weight,
          enabled: optionalBoolean(p, "enabled"),
          healthy: optionalBoolean(p, "healthy"),
          metadata: p.metadata === undefined ? undefined : parseMetadata(p.metadata),
        });
        return v2Ok("ok");
      }),
    )
    .get(
      "/nacos/v2/ns/instance",
      ({ request }) => v2(log, () => {
        const p = params(queryOf(request.url), undefined);
        const key = serviceKeyFrom(p);
        const i = naming.instance(key, clusterOrDefault(p.clusterName), checkIp(required(p, "ip")), checkPort(required(p, "port")));
        return v2Ok({ serviceName: groupedName(key), ip: i.ip, port: i.port, clusterName: i.clusterName, weight: i.weight, healthy: i.healthy, instanceId: i.instanceId, metadata: i.metadata });
      }),
    )
    .get(
      "/nacos/v2/ns/instance/list",
      ({ request }) => v2(log, () => {
        const p = params(queryOf(request.url), undefined);
        const view = naming.list(serviceKeyFrom(p), { clusters: p.clusterName ?? "", healthyOnly: optionalBoolean(p, "healthyOnly") ?? false, groupedName: true });
        return new Response(`{"code":0,"message":"success","data":${view.json}}`, { headers: { "content-type": "application/json;charset=UTF-8" } });
      }),
    )
    .put(
      "/nacos/v2/ns/instance/beat",
      ({ request, body }) => v2(log, () => {
        const p = params(queryOf(request.url), body);
        const beat = parseBeat(p);
        const result = naming.beat(serviceKeyFrom(p), checkIp(beat?.ip ?? required(p, "ip")), checkPort(beat?.port ?? required(p, "port")), beat);
        return v2Ok({ clientBeatInterval: result.clientBeatIntervalMs, code: result.code, lightBeatEnabled: true });
      }),
    )
    .post(
      "/nacos/v2/ns/service",
      ({ request, body }) => v2(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.createService(serviceKeyFrom(p), definitionInput(p));
        return v2Ok("ok");
      }),
    )
    .put(
      "/nacos/v2/ns/service",
      ({ request, body }) => v2(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.updateService(serviceKeyFrom(p), definitionInput(p));
        return v2Ok("ok");
      }),
    )
    .delete(
      "/nacos/v2/ns/service",
      ({ request, body }) => v2(log, async () => {
        await naming.deleteService(serviceKeyFrom(params(queryOf(request.url), body)));
        return v2Ok("ok");
      }),
    )
    .get(
      "/nacos/v2/ns/service",
      ({ request }) => v2(log, () => v2Ok(serviceDetailV2(naming.service(serviceKeyFrom(params(queryOf(request.url), undefined)))))),
    )
    .get(
      "/nacos/v2/ns/service/list",
      ({ request }) => v2(log, () => {
        const p = params(queryOf(request.url), undefined);
        const pageNo = intParam(p, "pageNo", 1, 1);
        const pageSize = Math.min(500, intParam(p, "pageSize", 20, 1, NAMING_LIMITS.pageSize));
        const names = naming.services(namespaceOrDefault(p.namespaceId), { group: p.groupName?.trim() || "DEFAULT_GROUP" }).map((e) => e.key.name);
        return v2Ok({ count: names.length, services: names.slice((pageNo - 1) * pageSize, pageNo * pageSize) });
      }),
    );
}
