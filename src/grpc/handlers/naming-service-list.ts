// ServiceListRequest: a page of the service names of one group (Nacos ServiceListRequestHandler).
import type { HandlerRegistry } from "../handler-registry.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import { groupOrDefault, namespaceOrDefault } from "../../naming/model/names.ts";
import { NAMING_LIMITS } from "../../naming/limits.ts";
import { stringField } from "../validate.ts";
import { namingAccess, namingHandler } from "./naming-request.ts";

export function registerNamingServiceList(handlers: HandlerRegistry, naming: NamingService): void {
  handlers.register(
    "ServiceListRequest",
    namingHandler("ServiceListResponse", (request) => {
      const pageNo = positiveInt(request.pageNo, 1);
      const pageSize = Math.min(NAMING_LIMITS.pageSize, positiveInt(request.pageSize, 10));
      const names = naming.services(namespaceOrDefault(stringField(request, "namespace")), { group: groupOrDefault(stringField(request, "groupName")) }).map((e) => e.key.name);
      return { type: "ServiceListResponse", body: { count: names.length, serviceNames: names.slice((pageNo - 1) * pageSize, pageNo * pageSize) } };
    }),
    { errorResponseType: "ServiceListResponse", access: namingAccess("read") },
  );
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback;
}
