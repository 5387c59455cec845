// POST /nacos/v1/cs/configs, served natively by Bun ahead of Elysia: every SDK's publish, a hot path
// (Elysia's per-request context was measured at ~7 µs of a ~50 µs publish). Nacos dispatches this one
// path by its parameters (import=true, clone=true, beta=true&promote=true; else the publish). Its own
// file, without Elysia, because the native routes are loaded at start and Elysia is not (start-up
// time, see http/listen.ts); DELETE on the same path is in config-v1-routes.ts.
import type { ConfigApi } from "../../config/config-api.ts";
import type { Logger } from "../../log.ts";
import type { RequestLimits } from "../request-limits.ts";
import { formParams, queryParams } from "./config-http-params.ts";
import { CONFIGS_PATH as PATH } from "./config-v1-get.ts";
import { cloneConfigsV1, importConfigsV1 } from "./config-v1-transfer.ts";
import { promoteBetaV1, publishConfigV1 } from "./config-v1-write.ts";
import { nativeV1Route } from "./native-v1-route.ts";

export function configV1Post(api: ConfigApi, limits: RequestLimits, log: Logger) {
  return nativeV1Route(PATH, limits, log, async (request, server, url) => {
    const query = queryParams(request, url);
    if (query.is("import", "true")) return importConfigsV1(api, request, server, query);
    if (query.is("clone", "true")) return cloneConfigsV1(api, request, server, query);
    const params = await formParams(request);
    if (params.is("beta", "true") && params.is("promote", "true")) return promoteBetaV1(api, request, server, params);
    return publishConfigV1(api, request, server, params);
  });
}
