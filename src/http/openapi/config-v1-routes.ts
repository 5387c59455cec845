// POST and DELETE /nacos/v1/cs/configs: Nacos dispatches one path by its parameters (import=true,
// clone=true, beta=true&promote=true, delType=ids, beta=true); so do these handlers, then hand each to
// its adapter. GET (config-v1-get.ts) and POST (every SDK's publish) are served natively by Bun, as
// they are the hot paths: Elysia's per-request context was measured at ~7 µs of a ~50 µs publish.
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import type { Logger } from "../../log.ts";
import type { RequestLimits } from "../request-limits.ts";
import { v1 } from "./config-http-answers.ts";
import { formParams, queryParams, RAW_BODY } from "./config-http-params.ts";
import { CONFIGS_PATH as PATH } from "./config-v1-get.ts";
import { cloneConfigsV1, importConfigsV1 } from "./config-v1-transfer.ts";
import { deleteByIdsV1, deleteConfigV1, promoteBetaV1, publishConfigV1, stopBetaV1 } from "./config-v1-write.ts";
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

export function configV1Routes(api: ConfigApi) {
  return new Elysia({ name: "config-v1" }).delete(
    PATH,
    v1(async ({ request, server }) => {
      const params = await formParams(request);
      if (params.is("delType", "ids")) return deleteByIdsV1(api, request, server, params);
      if (params.is("beta", "true")) return stopBetaV1(api, request, server, params);
      return deleteConfigV1(api, request, server, params);
    }),
    RAW_BODY,
  );
}
