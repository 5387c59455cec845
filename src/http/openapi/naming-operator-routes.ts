// Nacos operator metrics for naming (/nacos/v1/ns/operator/metrics, and the v2 envelope). 1.x
// clients read "status" to decide whether the server is up.
import { Elysia } from "elysia";
import type { Logger } from "../../log.ts";
import type { NamingMetrics } from "../../naming/naming-metrics.ts";
import { json, v1, v2, v2Ok } from "./naming-http.ts";

export function namingOperatorRoutes(metrics: () => NamingMetrics, isUp: () => boolean, log: Logger) {
  const snapshot = () => ({ status: isUp() ? "UP" : "DOWN", ...metrics() });
  return new Elysia({ name: "naming-operator" })
    .get("/nacos/v1/ns/operator/metrics", () => v1(log, () => json(snapshot())))
    .get("/nacos/v2/ns/operator/metrics", () => v2(log, () => v2Ok(snapshot())));
}
