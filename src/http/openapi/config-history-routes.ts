// Config history over HTTP: v1 /nacos/v1/cs/history (list with search=accurate, one row by nid,
// /previous by config id, /configs by namespace) and v2 /nacos/v2/cs/history (/list, one row, /detail,
// /previous, /configs) in Result bodies.
import { Elysia } from "elysia";
import { DomainError } from "../../errors.ts";
import type { ConfigApi } from "../../config/config-api.ts";
import { invalidParam } from "../../config/model/validation.ts";
import { normalizeNamespace } from "../../config/model/config-key.ts";
import { json, missing, v1, v2, v2Success } from "./config-http-answers.ts";
import { queryParams, type Params } from "./config-http-params.ts";
import { historyDetailJson, historyJson } from "./config-json.ts";
import { intParam } from "./config-v1-console.ts";

function required(params: Params, name: string): string {
  const v = params.get(name);
  if (v === undefined || v === "") throw missing(name);
  return v;
}

function idParam(params: Params, name: string): number {
  const raw = required(params, name);
  if (!/^\d{1,15}$/.test(raw.trim())) throw invalidParam(`invalid ${name} : ${raw}`);
  return Number(raw);
}

/** Current configs of a namespace (Nacos ConfigInfoWrapper list). */
function configsOf(api: ConfigApi, namespace: string) {
  const ns = normalizeNamespace(namespace);
  const out = [];
  for (const c of api.configs.index.formals()) {
    if (c.namespace === ns) out.push({ id: String(c.id), dataId: c.dataId, group: c.group, tenant: c.namespace, appName: c.appName, type: c.type, lastModified: c.modifiedAt, md5: c.md5 });
  }
  return out.sort((a, b) => Number(a.id) - Number(b.id));
}

export function configHistoryRoutes(api: ConfigApi) {
  const h = api.history;
  const page = (p: Params, tenantParam: string) => {
    const result = h.list(p.text(tenantParam), required(p, "group"), required(p, "dataId"), intParam(p, "pageNo", 1), intParam(p, "pageSize", 100));
    return { ...result, pageItems: result.pageItems.map((r) => historyJson(r, false)) };
  };
  return (
    new Elysia({ name: "config-history" })
      // --- v1 ---
      .get(
        "/nacos/v1/cs/history",
        v1(({ request }) => {
          const p = queryParams(request);
          if (p.get("search") === "accurate" || p.get("search") === "blur") return json(page(p, "tenant"));
          const row = h.get(p.text("tenant"), required(p, "group"), required(p, "dataId"), idParam(p, "nid"));
          return row ? json(historyJson(row, true)) : new Response("", { headers: { "content-type": "application/json;charset=UTF-8" } });
        }),
      )
      .get(
        "/nacos/v1/cs/history/previous",
        v1(({ request }) => {
          const p = queryParams(request);
          const row = h.previous(p.text("tenant"), required(p, "group"), required(p, "dataId"), idParam(p, "id"));
          return row ? json(historyJson(row, true)) : new Response("", { headers: { "content-type": "application/json;charset=UTF-8" } });
        }),
      )
      .get(
        "/nacos/v1/cs/history/configs",
        v1(({ request }) => {
          const p = queryParams(request);
          if (!p.has("tenant")) throw missing("tenant");
          return json(configsOf(api, p.text("tenant")));
        }),
      )
      // --- v2 ---
      .get(
        "/nacos/v2/cs/history/list",
        v2(({ request }) => v2Success(page(queryParams(request), "namespaceId"))),
      )
      .get(
        "/nacos/v2/cs/history",
        v2(({ request }) => {
          const p = queryParams(request);
          const row = h.get(p.text("namespaceId"), required(p, "group"), required(p, "dataId"), idParam(p, "nid"));
          if (!row) throw historyNotFound(`certain config history for nid = ${p.text("nid")} not exist`);
          return v2Success(historyJson(row, true));
        }),
      )
      .get(
        "/nacos/v2/cs/history/detail",
        v2(({ request }) => {
          const p = queryParams(request);
          const d = h.detail(p.text("namespaceId"), required(p, "group"), required(p, "dataId"), idParam(p, "nid"));
          return v2Success(d ? historyDetailJson(d) : null);
        }),
      )
      .get(
        "/nacos/v2/cs/history/previous",
        v2(({ request }) => {
          const p = queryParams(request);
          const row = h.previous(p.text("namespaceId"), required(p, "group"), required(p, "dataId"), idParam(p, "id"));
          if (!row) throw historyNotFound(`previous config history for id = ${p.text("id")} not exist`);
          return v2Success(historyJson(row, true));
        }),
      )
      .get(
        "/nacos/v2/cs/history/configs",
        v2(({ request }) => {
          const p = queryParams(request);
          if (!p.has("namespaceId")) throw missing("namespaceId");
          return v2Success(configsOf(api, p.text("namespaceId")));
        }),
      )
  );
}

const historyNotFound = (message: string) => new DomainError("not_found", message, 20004);
