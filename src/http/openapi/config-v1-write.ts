// POST and DELETE /nacos/v1/cs/configs: publish (form; `betaIps` and `casMd5` are headers, as in Nacos)
// answering `true`, delete answering `true`, console batch delete by ids (`delType=ids`) and beta
// stop / promote answering RestResult.
import type { Server } from "bun";
import type { ConfigApi } from "../../config/config-api.ts";
import { invalidParam } from "../../config/model/validation.ts";
import { jsonTrue, missing, restResult } from "./config-http-answers.ts";
import { remoteIp, type Params } from "./config-http-params.ts";

function required(params: Params, name: string): string {
  const v = params.get(name);
  if (v === undefined) throw missing(name);
  return v;
}

export async function publishConfigV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Promise<Response> {
  await api.configs.publish({
    namespace: params.text("tenant"),
    group: required(params, "group"),
    dataId: required(params, "dataId"),
    content: required(params, "content"),
    type: params.text("type"),
    desc: params.text("desc"),
    appName: params.text("appName"),
    configTags: params.text("config_tags"),
    tag: params.text("tag"),
    betaIps: request.headers.get("betaIps") ?? "",
    casMd5: request.headers.get("casMd5") ?? "",
    srcUser: params.text("src_user", "srcUser"),
    srcIp: remoteIp(request, server),
  });
  return jsonTrue();
}

export async function deleteConfigV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Promise<Response> {
  await api.configs.remove(params.text("tenant"), required(params, "group"), required(params, "dataId"), {
    tag: params.text("tag"),
    srcUser: params.text("src_user", "srcUser"),
    srcIp: remoteIp(request, server),
  });
  return jsonTrue();
}

export function parseIds(raw: string): number[] {
  const ids = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return ids.map((s) => {
    if (!/^\d{1,15}$/.test(s)) throw invalidParam(`invalid id : ${s}`);
    return Number(s);
  });
}

export async function deleteByIdsV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Promise<Response> {
  await api.configs.removeByIds(parseIds(required(params, "ids")), { srcIp: remoteIp(request, server), srcUser: params.text("src_user", "srcUser") });
  return restResult(true);
}

export async function stopBetaV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Promise<Response> {
  await api.configs.stopBeta(params.text("tenant"), required(params, "group"), required(params, "dataId"), {
    srcIp: remoteIp(request, server),
    srcUser: params.text("srcUser", "src_user"),
  });
  return restResult(true, "stop beta ok");
}

export async function promoteBetaV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Promise<Response> {
  await api.configs.promoteBeta(params.text("tenant"), required(params, "group"), required(params, "dataId"), {
    srcIp: remoteIp(request, server),
    srcUser: params.text("srcUser", "src_user"),
  });
  return restResult(true, "promote beta ok");
}
