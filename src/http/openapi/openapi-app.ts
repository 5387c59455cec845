// The SDK port: Nacos OpenAPI under /nacos plus r-nacos's /health. Domains add their route plugins.
import type { Elysia } from "elysia";
import type { Logger } from "../../log.ts";
import type { NodeState } from "../../node-state.ts";
import { baseApp } from "../base-app.ts";
import { healthRoutes } from "../health-routes.ts";
import type { RequestLimits } from "../request-limits.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RoutePlugin = Elysia<any, any, any, any, any, any, any>;

export function openApiApp(deps: { state: NodeState; limits: RequestLimits; log: Logger; plugins: RoutePlugin[] }) {
  let app = baseApp("openapi", deps.limits, deps.log).use(healthRoutes(deps.state));
  for (const plugin of deps.plugins) app = app.use(plugin) as typeof app;
  return app;
}
