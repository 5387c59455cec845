// Probes: Nacos's liveness/readiness and r-nacos's /health.
import { Elysia } from "elysia";
import type { NodeState } from "../node-state.ts";

const TEXT = { "content-type": "text/plain;charset=UTF-8" };

export function healthRoutes(state: NodeState) {
  const readiness = () =>
    state.ready ? new Response("OK", { headers: TEXT }) : new Response(`not ready: ${state.phase}`, { status: 503, headers: TEXT });
  const rnacosHealth = () =>
    state.ready ? new Response("success", { headers: TEXT }) : new Response(`error: node is ${state.phase}`, { status: 503, headers: TEXT });
  return new Elysia({ name: "health" })
    .get("/nacos/v1/console/health/liveness", () => new Response("OK", { headers: TEXT }))
    .get("/nacos/v1/console/health/readiness", readiness)
    .get("/nacos/v2/console/health/liveness", () => new Response("OK", { headers: TEXT }))
    .get("/nacos/v2/console/health/readiness", readiness)
    .get("/health", rnacosHealth)
    .get("/nacos/health", rnacosHealth)
    .get("/rnacos/health", rnacosHealth);
}
