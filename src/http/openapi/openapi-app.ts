// The SDK port: Nacos OpenAPI under /nacos plus r-nacos's /health. Domains add their route plugins.
import type { Elysia } from "elysia";
import type { Server } from "bun";
import type { Logger } from "../../log.ts";
import type { NodeState } from "../../node-state.ts";
import { baseApp } from "../base-app.ts";
import { healthRoutes } from "../health-routes.ts";
import type { RequestLimits } from "../request-limits.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RoutePlugin = Elysia<any, any, any, any, any, any, any>;

/**
 * Routes Bun itself serves ahead of Elysia, by path and method, for the hottest SDK paths. Other methods
 * on the same path still reach Elysia. A native route applies the request limits itself.
 */
export type NativeRoutes = Record<string, Partial<Record<"GET" | "POST" | "PUT" | "DELETE", (request: Request, server: Server<unknown>) => Response | Promise<Response>>>>;

export function openApiApp(deps: { state: NodeState; limits: RequestLimits; log: Logger; plugins: RoutePlugin[]; nativeRoutes?: NativeRoutes }) {
  const native = deps.nativeRoutes && Object.keys(deps.nativeRoutes).length > 0 ? deps.nativeRoutes : undefined;
  let app = baseApp("openapi", deps.limits, deps.log, native).use(healthRoutes(deps.state));
  for (const plugin of deps.plugins) app = app.use(plugin) as typeof app;
  return app;
}
