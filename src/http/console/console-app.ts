// The console port's Elysia app: the console API under /rnacos/api/console. The page itself is
// served by Bun (console-page.ts).
import type { Logger } from "../../log.ts";
import type { NodeState } from "../../node-state.ts";
import type { Settings } from "../../cli/settings.ts";
import { baseApp } from "../base-app.ts";
import { jsonError } from "../error-body.ts";
import type { RequestLimits } from "../request-limits.ts";
import type { RoutePlugin } from "../openapi/openapi-app.ts";
import { serverStateRoutes } from "./server-state-routes.ts";

export function consoleApp(deps: { state: NodeState; settings: Settings; limits: RequestLimits; log: Logger; plugins: RoutePlugin[] }) {
  let app = baseApp("console", deps.limits, deps.log).use(serverStateRoutes(deps.state, deps.settings));
  for (const plugin of deps.plugins) app = app.use(plugin) as typeof app;
  // Exact API routes win over this one.
  return app.all("/rnacos/api/*", ({ request }) => jsonError(404, "no such console API", new URL(request.url).pathname));
}
