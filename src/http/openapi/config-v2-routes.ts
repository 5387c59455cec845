// Nacos 2.x OpenAPI /nacos/v2/cs/config (GET/POST/DELETE, Result bodies with Nacos error codes) and
// /nacos/v2/cs/config/searchDetail, plus the Nacos 3 client API GET /nacos/v3/client/cs/config that
// HTTP-only SDKs read through.
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import { json, JSON_UTF8, missing, v2, v2Success } from "./config-http-answers.ts";
import { formParams, type Params, queryParams, RAW_BODY, remoteIp } from "./config-http-params.ts";
import { configHeaders, lazyClient, wantsLinearizable } from "./config-v1-read.ts";
import { searchConfigsV1 } from "./config-v1-console.ts";

/** A required parameter that must also not be blank (Nacos ConfigForm.validate). */
function present(params: Params, name: string): string {
  const v = params.get(name);
  if (v === undefined || v.trim() === "") throw missing(name);
  return v;
}

const NOT_FOUND = (status: number) => json({ code: 20004, message: "resource not found", data: status === 404 ? "config data not exist" : null }, status);

export function configV2Routes(api: ConfigApi) {
  return new Elysia({ name: "config-v2" })
    .get(
      "/nacos/v2/cs/config",
      v2(async ({ request, server }) => {
        const p = queryParams(request);
        const dataId = p.get("dataId");
        if (dataId === undefined) throw missing("dataId");
        const group = p.get("group");
        if (group === undefined) throw missing("group");
        const client = lazyClient(request, server, p.text("tag"));
        const namespace = p.text("namespaceId");
        const read = wantsLinearizable(p) ? await api.configs.readLatest(namespace, group, dataId, client) : api.configs.read(namespace, group, dataId, client);
        if (!read) return NOT_FOUND(404);
        return new Response(JSON.stringify({ code: 0, message: "success", data: read.content }), { headers: configHeaders(read, JSON_UTF8) });
      }),
    )
    .post(
      "/nacos/v2/cs/config",
      v2(async ({ request, server }) => {
        const p = await formParams(request);
        const dataId = present(p, "dataId");
        const group = present(p, "group");
        const content = present(p, "content");
        await api.configs.publish({
          namespace: p.text("namespaceId"),
          group,
          dataId,
          content,
          type: p.text("type"),
          desc: p.text("desc"),
          appName: p.text("appName"),
          configTags: p.text("configTags", "config_tags"),
          tag: p.text("tag"),
          betaIps: request.headers.get("betaIps") ?? "",
          casMd5: request.headers.get("casMd5") ?? "",
          srcUser: p.text("srcUser", "src_user"),
          srcIp: remoteIp(request, server),
        });
        return v2Success(true);
      }),
      RAW_BODY,
    )
    .delete(
      "/nacos/v2/cs/config",
      v2(async ({ request, server }) => {
        const p = await formParams(request);
        const dataId = p.get("dataId");
        if (dataId === undefined) throw missing("dataId");
        const group = p.get("group");
        if (group === undefined) throw missing("group");
        await api.configs.remove(p.text("namespaceId"), group, dataId, { tag: p.text("tag"), srcIp: remoteIp(request, server), srcUser: p.text("srcUser") });
        return v2Success(true);
      }),
      RAW_BODY,
    )
    .get(
      "/nacos/v2/cs/config/searchDetail",
      v2(({ request }) => {
        const p = queryParams(request);
        const detail = p.get("config_detail");
        if (detail === undefined) throw missing("config_detail");
        return searchConfigsV1(api, p, detail);
      }),
    )
    .get(
      "/nacos/v3/client/cs/config",
      v2(({ request, server }) => {
        const p = queryParams(request);
        const group = present(p, "groupName");
        const dataId = present(p, "dataId");
        const read = api.configs.read(p.text("namespaceId"), group, dataId, lazyClient(request, server, ""));
        // Nacos 3 answers "not found" in the body with HTTP 200.
        if (!read) return NOT_FOUND(200);
        return v2Success({
          resultCode: 200,
          errorCode: 0,
          message: null,
          requestId: null,
          success: true,
          content: read.content,
          encryptedDataKey: "",
          contentType: read.type,
          md5: read.md5,
          lastModified: read.lastModified,
          beta: read.beta,
          tag: read.tag === "" ? null : encodeURIComponent(read.tag),
        });
      }),
    );
}
