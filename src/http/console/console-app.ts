// The console port: the bundled web console at /rnacos and its API under /rnacos/api/console.
import consolePage from "../../../web/index.html";
import type { Logger } from "../../log.ts";
import type { NodeState } from "../../node-state.ts";
import type { Settings } from "../../cli/settings.ts";
import { baseApp } from "../base-app.ts";
import { jsonError } from "../error-body.ts";
import { healthRoutes } from "../health-routes.ts";
import type { RequestLimits } from "../request-limits.ts";
import type { RoutePlugin } from "../openapi/openapi-app.ts";
import { serverStateRoutes } from "./server-state-routes.ts";

export function consoleApp(deps: { state: NodeState; settings: Settings; limits: RequestLimits; log: Logger; plugins: RoutePlugin[] }) {
  // Bun serves the HTML bundle and its hashed JS/CSS natively; `bun build --compile` embeds them.
  // "/rnacos/*" also answers "/rnacos/" and client-side routes; exact API routes win over it.
  const page = {
    "/rnacos": consolePage,
    "/rnacos/*": consolePage,
    "/": consolePage,
    "/rnacos/api/*": (req: Request) => jsonError(404, "no such console API", new URL(req.url).pathname),
  };
  let app = baseApp("console", deps.limits, deps.log, page)
    .use(healthRoutes(deps.state))
    .use(serverStateRoutes(deps.state, deps.settings));
  for (const plugin of deps.plugins) app = app.use(plugin) as typeof app;
  return app;
}
