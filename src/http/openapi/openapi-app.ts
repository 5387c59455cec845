// The SDK port: Nacos OpenAPI under /nacos. Domains add their route plugins; the probes and the
// hot native routes are served by Bun ahead of this app (see listen.ts).
import type { Elysia } from "elysia";
import type { Server } from "bun";
import type { Logger } from "../../log.ts";
import { baseApp } from "../base-app.ts";
import type { RequestLimits } from "../request-limits.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RoutePlugin = Elysia<any, any, any, any, any, any, any>;

/**
 * Routes Bun itself serves ahead of Elysia, by path and method, for the hottest SDK paths. Other methods
 * on the same path still reach Elysia. A native route applies the request limits itself.
 */
export type NativeRoutes = Record<string, Partial<Record<"GET" | "POST" | "PUT" | "DELETE", (request: Request, server: Server<unknown>) => Response | Promise<Response>>>>;

export function openApiApp(deps: { limits: RequestLimits; log: Logger; plugins: RoutePlugin[] }) {
  let app = baseApp("openapi", deps.limits, deps.log);
  for (const plugin of deps.plugins) app = app.use(plugin) as typeof app;
  return app;
}
