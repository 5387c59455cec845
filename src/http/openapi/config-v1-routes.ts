// DELETE /nacos/v1/cs/configs: Nacos dispatches one path by its parameters (delType=ids, beta=true);
// so does this handler, then hands each to its adapter. GET (config-v1-get.ts) and POST
// (config-v1-post.ts) are served natively by Bun, as they are the hot paths.
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import { v1 } from "./config-http-answers.ts";
import { formParams, RAW_BODY } from "./config-http-params.ts";
import { CONFIGS_PATH as PATH } from "./config-v1-get.ts";
import { deleteByIdsV1, deleteConfigV1, stopBetaV1 } from "./config-v1-write.ts";

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
