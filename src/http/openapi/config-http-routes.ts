// The configuration center's Elysia route plugins on the SDK port, loaded with the port's app
// (config-module.ts imports this file lazily; see http/listen.ts).
import type { ConfigApi } from "../../config/config-api.ts";
import { configHistoryRoutes } from "./config-history-routes.ts";
import { configV1ListenerRoutes } from "./config-v1-listener-routes.ts";
import { configV1Routes } from "./config-v1-routes.ts";
import { configV2Routes } from "./config-v2-routes.ts";
import { namespaceRoutes } from "./namespace-routes.ts";

export function configHttpRoutes(api: ConfigApi) {
  return [configV1Routes(api), configV1ListenerRoutes(api), configHistoryRoutes(api), configV2Routes(api), namespaceRoutes(api)];
}
