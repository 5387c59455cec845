// POST and DELETE /nacos/v1/cs/configs: Nacos dispatches one path by its parameters (import=true,
// clone=true, beta=true&promote=true, delType=ids, beta=true); so does this plugin, then hands each to
// its adapter. GET is served natively (config-v1-get.ts).
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import { v1 } from "./config-http-answers.ts";
import { formParams, queryParams, RAW_BODY } from "./config-http-params.ts";
import { CONFIGS_PATH as PATH } from "./config-v1-get.ts";
import { cloneConfigsV1, importConfigsV1 } from "./config-v1-transfer.ts";
import { deleteByIdsV1, deleteConfigV1, promoteBetaV1, publishConfigV1, stopBetaV1 } from "./config-v1-write.ts";

export function configV1Routes(api: ConfigApi) {
  return new Elysia({ name: "config-v1" })
    .post(
      PATH,
      v1(async ({ request, server }) => {
        const query = queryParams(request);
        if (query.is("import", "true")) return importConfigsV1(api, request, server, query);
        if (query.is("clone", "true")) return cloneConfigsV1(api, request, server, query);
        const params = await formParams(request);
        if (params.is("beta", "true") && params.is("promote", "true")) return promoteBetaV1(api, request, server, params);
        return publishConfigV1(api, request, server, params);
      }),
      RAW_BODY,
    )
    .delete(
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
