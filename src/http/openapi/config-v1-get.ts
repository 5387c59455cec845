// GET /nacos/v1/cs/configs, served natively by Bun ahead of Elysia: it is every HTTP SDK's read and its
// hottest path. Nacos dispatches this one path by parameters (search=, show=all, beta=true, export=true,
// exportV2=true; else the read).
import type { ConfigApi } from "../../config/config-api.ts";
import type { Logger } from "../../log.ts";
import type { RequestLimits } from "../request-limits.ts";
import { queryParams } from "./config-http-params.ts";
import { configDetailV1, queryBetaV1, searchConfigsV1 } from "./config-v1-console.ts";
import { readConfigV1, readConfigV1Linearizable, wantsLinearizable } from "./config-v1-read.ts";
import { exportConfigsV1 } from "./config-v1-transfer.ts";
import { nativeV1Route } from "./native-v1-route.ts";

export const CONFIGS_PATH = "/nacos/v1/cs/configs";

export function configV1Get(api: ConfigApi, limits: RequestLimits, log: Logger) {
  return nativeV1Route(CONFIGS_PATH, limits, log, (request, server, url) => {
    const params = queryParams(request, url);
    const search = params.get("search");
    if (search === "accurate" || search === "blur") return searchConfigsV1(api, params);
    if (params.is("show", "all")) return configDetailV1(api, params);
    if (params.is("beta", "true")) return queryBetaV1(api, params);
    if (params.is("export", "true")) return exportConfigsV1(api, params, "v1");
    if (params.is("exportV2", "true")) return exportConfigsV1(api, params, "v2");
    if (wantsLinearizable(params)) return readConfigV1Linearizable(api, request, server, params);
    return readConfigV1(api, request, server, params);
  });
}
