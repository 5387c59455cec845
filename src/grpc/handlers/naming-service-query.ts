// ServiceQueryRequest: one read of a service's instances, with cluster and healthyOnly filters
// (Nacos ServiceQueryRequestHandler).
import type { HandlerRegistry } from "../handler-registry.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import type { JsonObject } from "../payload.ts";
import { stringField } from "../validate.ts";
import { namingAccess, namingHandler, serviceKeyOf } from "./naming-request.ts";

export function registerNamingServiceQuery(handlers: HandlerRegistry, naming: NamingService): void {
  handlers.register(
    "ServiceQueryRequest",
    namingHandler("QueryServiceResponse", (request) => {
      const view = naming.list(serviceKeyOf(request), { clusters: stringField(request, "cluster"), healthyOnly: request.healthyOnly === true, groupedName: false });
      return { type: "QueryServiceResponse", body: { serviceInfo: view.info as unknown as JsonObject } };
    }),
    { errorResponseType: "QueryServiceResponse", access: namingAccess("read") },
  );
}
