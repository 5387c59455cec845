// /nacos/v1/cs/configs: Nacos dispatches one path by its parameters (search=, show=all, beta=true,
// export=true, import=true, clone=true, delType=ids); so does this plugin, then hands each to its adapter.
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import { v1, v1Failure } from "./config-http-answers.ts";
import { RAW_BODY } from "./config-http-params.ts";
import { formParams, queryParams } from "./config-http-params.ts";
import { configDetailV1, queryBetaV1, searchConfigsV1 } from "./config-v1-console.ts";
import { readConfigV1 } from "./config-v1-read.ts";
import { cloneConfigsV1, exportConfigsV1, importConfigsV1 } from "./config-v1-transfer.ts";
import { deleteByIdsV1, deleteConfigV1, promoteBetaV1, publishConfigV1, stopBetaV1 } from "./config-v1-write.ts";

const PATH = "/nacos/v1/cs/configs";

export function configV1Routes(api: ConfigApi) {
  return new Elysia({ name: "config-v1" })
    .get(PATH, ({ request, server }) => {
      // Synchronous on purpose: this is the SDKs' hot read path.
      try {
        const params = queryParams(request);
        const search = params.get("search");
        if (search === "accurate" || search === "blur") return searchConfigsV1(api, params);
        if (params.is("show", "all")) return configDetailV1(api, params);
        if (params.is("beta", "true")) return queryBetaV1(api, params);
        if (params.is("export", "true")) return exportConfigsV1(api, params, "v1");
        if (params.is("exportV2", "true")) return exportConfigsV1(api, params, "v2");
        return readConfigV1(api, request, server, params);
      } catch (err) {
        return v1Failure(err, PATH);
      }
    })
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
