// The console port: the bundled web console at /rnacos and its API under /rnacos/api/console.
import consolePage from "../../../web/index.html";
import type { Logger } from "../../log.ts";
import type { NodeState } from "../../node-state.ts";
import type { Settings } from "../../cli/settings.ts";
import { baseApp } from "../base-app.ts";
import { jsonError } from "../error-body.ts";
import type { RequestLimits } from "../request-limits.ts";
import type { RoutePlugin } from "../openapi/openapi-app.ts";
import { serverStateRoutes } from "./server-state-routes.ts";

/**
 * What Bun serves itself on the console port: the HTML bundle and its hashed JS/CSS (`bun build
 * --compile` embeds them). "/rnacos/*" also answers "/rnacos/" and client-side routes; the console
 * API under "/rnacos/api/" goes to the Elysia app (`api`).
 */
export function consolePageRoutes(api: (request: Request) => Response | Promise<Response>) {
  return {
    "/rnacos": consolePage,
    "/rnacos/*": consolePage,
    "/": consolePage,
    "/rnacos/api/*": api,
  };
}

export function consoleApp(deps: { state: NodeState; settings: Settings; limits: RequestLimits; log: Logger; plugins: RoutePlugin[] }) {
  let app = baseApp("console", deps.limits, deps.log).use(serverStateRoutes(deps.state, deps.settings));
  for (const plugin of deps.plugins) app = app.use(plugin) as typeof app;
  // Exact API routes win over this one.
  return app.all("/rnacos/api/*", ({ request }) => jsonError(404, "no such console API", new URL(request.url).pathname));
}
