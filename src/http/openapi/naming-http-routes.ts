// The registry's Elysia route plugins on the SDK port, loaded with the port's app
// (naming-module.ts imports this file lazily; see http/listen.ts).
import type { Logger } from "../../log.ts";
import type { NamingMetrics } from "../../naming/naming-metrics.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import { namingOperatorRoutes } from "./naming-operator-routes.ts";
import { namingV1InstanceRoutes } from "./naming-v1-instance-routes.ts";
import { namingV1ServiceRoutes } from "./naming-v1-service-routes.ts";
import { namingV2Routes } from "./naming-v2-routes.ts";

export function namingHttpRoutes(service: NamingService, metrics: () => NamingMetrics, isUp: () => boolean, log: Logger) {
  return [namingV1InstanceRoutes(service, log), namingV1ServiceRoutes(service, log), namingV2Routes(service, log), namingOperatorRoutes(metrics, isUp, log)];
}
