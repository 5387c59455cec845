// Nacos v1 service API (/nacos/v1/ns/service, /service/list, /service/subscribers), the cluster
// health-check settings (/nacos/v1/ns/cluster) and the catalog the console reads
// (/nacos/v1/ns/catalog/*). Translation only.
import { Elysia } from "elysia";
import type { Logger } from "../../log.ts";
import { hostView } from "../../naming/view/service-info.ts";
import { groupedName, namespaceOrDefault } from "../../naming/model/names.ts";
import { NAMING_LIMITS } from "../../naming/limits.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import { checkCluster, checkPort, parseMetadata } from "../../naming/validation.ts";
import { intParam, json, optionalBoolean, params, queryOf, required, serviceKeyFrom, text, v1 } from "./naming-http.ts";
import { definitionInput, parseHealthChecker, serviceDetailConsole, serviceDetailV1, serviceView } from "./naming-service-json.ts";


export function namingV1ServiceRoutes(naming: NamingService, log: Logger) {
  return new Elysia({ name: "naming-v1-service" })
    .post(
      "/nacos/v1/ns/service",
      ({ request, body }) => v1(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.createService(serviceKeyFrom(p), definitionInput(p));
        return text("ok");
      }),
    )
    .put(
      "/nacos/v1/ns/service",
      ({ request, body }) => v1(log, async () => {
        const p = params(queryOf(request.url), body);
        await naming.updateService(serviceKeyFrom(p), definitionInput(p));
        return text("ok");
      }),
    )
    .delete(
      "/nacos/v1/ns/service",
      ({ request, body }) => v1(log, async () => {
        await naming.deleteService(serviceKeyFrom(params(queryOf(request.url), body)));
        return text("ok");
      }),
    )
    .get(
      "/nacos/v1/ns/service",
      ({ request }) => v1(log, () => json(serviceDetailV1(naming.service(serviceKeyFrom(params(queryOf(request.url), undefined)))))),
    )
    .get(
      "/nacos/v1/ns/service/list",
      ({ request }) => v1(log, () => {
        const p = params(queryOf(request.url), undefined);
        const pageNo = intParam(p, "pageNo", 1, 1);
        const pageSize = intParam(p, "pageSize", 10, 1, NAMING_LIMITS.pageSize);
        const names = naming.services(namespaceOrDefault(p.namespaceId), { group: p.groupName?.trim() || "DEFAULT_GROUP" }).map((e) => e.key.name);
        return json({ count: names.length, doms: names.slice((pageNo - 1) * pageSize, pageNo * pageSize) });
      }),
    )
    .get(
      "/nacos/v1/ns/service/subscribers",
      ({ request }) => v1(log, () => {
        const p = params(queryOf(request.url), undefined);
        const key = serviceKeyFrom(p);
        const pageNo = intParam(p, "pageNo", 1, 1);
        const pageSize = intParam(p, "pageSize", 1000, 1, NAMING_LIMITS.pageSize);
        const all = naming.subscribersOf(key);
        const page = all.slice((pageNo - 1) * pageSize, pageNo * pageSize).map((s) => ({
          addrStr: `${s.ip}:${s.port}`,
          agent: s.agent,
          app: s.app,
          ip: s.ip,
          port: s.port,
          namespaceId: key.namespace,
          serviceName: groupedName(key),
          cluster: s.clusters,
          type: s.kind,
        }));
        return json({ subscribers: page, count: all.length });
      }),
    )
    .put(
      "/nacos/v1/ns/cluster",
      ({ request, body }) => v1(log, async () => {
        const p = params(queryOf(request.url), body);
        const key = serviceKeyFrom(p);
        const cluster = checkCluster(required(p, "clusterName"));
        await naming.updateCluster(key, cluster, {
          ...(p.healthChecker?.trim() ? { healthChecker: parseHealthChecker(p.healthChecker) } : {}),
          ...(p.checkPort?.trim() ? { checkPort: checkPort(p.checkPort) } : {}),
          ...(optionalBoolean(p, "useInstancePort4Check") !== undefined ? { useInstancePort4Check: optionalBoolean(p, "useInstancePort4Check") } : {}),
          ...(p.metadata !== undefined ? { metadata: parseMetadata(p.metadata) } : {}),
        });
        return text("ok");
      }),
    )
    .get(
      "/nacos/v1/ns/catalog/services",
      ({ request }) => v1(log, () => {
        const p = params(queryOf(request.url), undefined);
        const pageNo = intParam(p, "pageNo", 1, 1);
        const pageSize = intParam(p, "pageSize", 10, 1, NAMING_LIMITS.pageSize);
        const entries = naming.services(namespaceOrDefault(p.namespaceId), {
          nameContains: p.serviceNameParam?.trim() || undefined,
          groupContains: p.groupNameParam?.trim() || undefined,
          nonEmpty: optionalBoolean(p, "hasIpCount") ?? false,
        });
        const page = entries.slice((pageNo - 1) * pageSize, pageNo * pageSize);
        return json({ count: entries.length, serviceList: page.map(serviceView) });
      }),
    )
    .get(
      "/nacos/v1/ns/catalog/service",
      ({ request }) => v1(log, () => json(serviceDetailConsole(naming.service(serviceKeyFrom(params(queryOf(request.url), undefined)))))),
    )
    .get(
      "/nacos/v1/ns/catalog/instances",
      ({ request }) => v1(log, () => {
        const p = params(queryOf(request.url), undefined);
        const key = serviceKeyFrom(p);
        const cluster = p.clusterName?.trim();
        const pageNo = intParam(p, "pageNo", 1, 1);
        const pageSize = intParam(p, "pageSize", 100, 1, NAMING_LIMITS.pageSize);
        const serviceName = groupedName(key);
        const all = naming.instances(key).filter((i) => !cluster || i.clusterName === cluster);
        const list = all.slice((pageNo - 1) * pageSize, pageNo * pageSize).map((i) => hostView(i, serviceName, naming.timing));
        return json({ list, count: all.length });
      }),
    );
}
