// The console-side GETs on /nacos/v1/cs/configs: search (`search=accurate|blur`, paged), one config with
// every attribute (`show=all`), and the running beta (`beta=true`).
import type { ConfigApi } from "../../config/config-api.ts";
import { searchConfigs } from "../../config/config-search.ts";
import { invalidParam } from "../../config/model/validation.ts";
import { json, missing, restResult } from "./config-http-answers.ts";
import { betaJson, configAllInfoJson, configInfoJson } from "./config-json.ts";
import type { Params } from "./config-http-params.ts";

export function intParam(params: Params, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^-?\d{1,9}$/.test(raw.trim())) throw invalidParam(`invalid ${name} : ${raw}`);
  return Number(raw);
}

export function searchConfigsV1(api: ConfigApi, params: Params, contentFilter?: string): Response {
  const mode = params.get("search") === "accurate" ? "accurate" : "blur";
  const result = searchConfigs(api.configs.index, {
    mode,
    namespace: params.text("tenant"),
    dataId: params.text("dataId"),
    group: params.text("group"),
    appName: params.text("appName"),
    configTags: params.text("config_tags"),
    types: params.text("types"),
    content: contentFilter,
    pageNo: intParam(params, "pageNo", 1),
    pageSize: intParam(params, "pageSize", 10),
  });
  return json({ ...result, pageItems: result.pageItems.map((c) => configInfoJson(c, api.configs.index)) });
}

export function configDetailV1(api: ConfigApi, params: Params): Response {
  const dataId = params.get("dataId");
  if (dataId === undefined) throw missing("dataId");
  const group = params.get("group");
  if (group === undefined) throw missing("group");
  const c = api.configs.detail(params.text("tenant"), group, dataId);
  // Nacos answers 200 with an empty body when there is no such config.
  return c ? json(configAllInfoJson(c)) : new Response("", { status: 200, headers: { "content-type": "application/json;charset=UTF-8" } });
}

export function queryBetaV1(api: ConfigApi, params: Params): Response {
  const dataId = params.get("dataId");
  if (dataId === undefined) throw missing("dataId");
  const group = params.get("group");
  if (group === undefined) throw missing("group");
  const tenant = params.text("tenant");
  const beta = api.configs.beta(tenant, group, dataId);
  return restResult(beta ? betaJson(beta, api.configs.detail(tenant, group, dataId)) : null, "query beta ok");
}
