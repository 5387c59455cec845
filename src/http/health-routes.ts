// Probes: Nacos's liveness/readiness and r-nacos's /health, on both HTTP ports. Bun serves them
// itself (no Elysia app needed), so a port answers its probes from the moment it listens.
import type { NodeState } from "../node-state.ts";
import { checkRequestLimits, type RequestLimits } from "./request-limits.ts";

const TEXT = { "content-type": "text/plain;charset=UTF-8" };

type Probe = (request: Request) => Response;

export function healthRoutes(state: NodeState, limits: RequestLimits): Record<string, { GET: Probe }> {
  const probe = (answer: () => Response): { GET: Probe } => ({ GET: (request) => checkRequestLimits(request, limits) ?? answer() });
  const liveness = probe(() => new Response("OK", { headers: TEXT }));
  const readiness = probe(() =>
    state.ready ? new Response("OK", { headers: TEXT }) : new Response(`not ready: ${state.phase}`, { status: 503, headers: TEXT }),
  );
  const rnacosHealth = probe(() =>
    state.ready ? new Response("success", { headers: TEXT }) : new Response(`error: node is ${state.phase}`, { status: 503, headers: TEXT }),
  );
  return {
    "/nacos/v1/console/health/liveness": liveness,
    "/nacos/v1/console/health/readiness": readiness,
    "/nacos/v2/console/health/liveness": liveness,
    "/nacos/v2/console/health/readiness": readiness,
    "/health": rnacosHealth,
    "/nacos/health": rnacosHealth,
    "/rnacos/health": rnacosHealth,
  };
}
