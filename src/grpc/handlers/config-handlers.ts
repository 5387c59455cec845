// Registers the configuration center's Nacos request handlers on the bridge (one file per request type).
import type { ConfigService } from "../../config/config-service.ts";
import type { ConfigListening } from "../../config/listen/config-listening.ts";
import type { FuzzyWatchRegistry } from "../../config/listen/fuzzy-watch.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import { registerConfigBatchListen } from "./config-batch-listen.ts";
import { registerConfigFuzzyWatch } from "./config-fuzzy-watch.ts";
import { registerConfigPublish } from "./config-publish.ts";
import { registerConfigQuery } from "./config-query.ts";
import { registerConfigRemove } from "./config-remove.ts";

export function registerConfigHandlers(handlers: HandlerRegistry, deps: { configs: ConfigService; listening: ConfigListening; fuzzy: FuzzyWatchRegistry }): void {
  registerConfigQuery(handlers, deps.configs);
  registerConfigPublish(handlers, deps.configs);
  registerConfigRemove(handlers, deps.configs);
  registerConfigBatchListen(handlers, deps.listening);
  registerConfigFuzzyWatch(handlers, deps.fuzzy);
}
