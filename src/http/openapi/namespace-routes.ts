// Namespaces over HTTP: the v1 console API /nacos/v1/console/namespaces (list as RestResult, one by
// `show=all`, `checkNamespaceIdExist=true`, POST/PUT answering true or false as Nacos does, DELETE) and
// the v2 API /nacos/v2/console/namespace with Result bodies and Nacos's namespace error codes.
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import { DomainError } from "../../errors.ts";
import { json, jsonTrue, missing, restResult, v1, v2, v2Success } from "./config-http-answers.ts";
import { formParams, type Params, queryParams, RAW_BODY } from "./config-http-params.ts";
import { namespaceJson } from "./config-json.ts";

function required(params: Params, name: string): string {
  const v = params.get(name);
  if (v === undefined) throw missing(name);
  return v;
}

/** Nacos's v1 create/edit answer `false` for bad input instead of an error. */
async function trueOrFalse(write: () => Promise<unknown>): Promise<Response> {
  try {
    await write();
    return jsonTrue();
  } catch (err) {
    if (err instanceof DomainError && err.kind === "invalid") return json(false);
    throw err;
  }
}

export function namespaceRoutes(api: ConfigApi) {
  const ns = api.namespaces;
  return (
    new Elysia({ name: "namespaces" })
      // --- v1 console API ---
      .get(
        "/nacos/v1/console/namespaces",
        v1(({ request }) => {
          const p = queryParams(request);
          if (p.is("show", "all")) return json(namespaceJson(ns.get(required(p, "namespaceId")), ""));
          if (p.is("checkNamespaceIdExist", "true")) {
            const id = p.text("customNamespaceId").trim();
            return json(id !== "" && ns.exists(id));
          }
          return restResult(ns.list().map((n) => namespaceJson(n, "")));
        }),
      )
      .post(
        "/nacos/v1/console/namespaces",
        v1(async ({ request }) => {
          const p = await formParams(request);
          const name = required(p, "namespaceName");
          return trueOrFalse(() => ns.create(p.text("customNamespaceId"), name, p.text("namespaceDesc")));
        }),
        RAW_BODY,
      )
      .put(
        "/nacos/v1/console/namespaces",
        v1(async ({ request }) => {
          const p = await formParams(request);
          const id = required(p, "namespace");
          const name = required(p, "namespaceShowName");
          return trueOrFalse(() => ns.update(id, name, p.text("namespaceDesc")));
        }),
        RAW_BODY,
      )
      .delete(
        "/nacos/v1/console/namespaces",
        v1(async ({ request }) => {
          const p = await formParams(request);
          await ns.delete(required(p, "namespaceId"));
          return jsonTrue();
        }),
        RAW_BODY,
      )
      // --- v2 API ---
      .get(
        "/nacos/v2/console/namespace/list",
        v2(() => v2Success(ns.list().map((n) => namespaceJson(n, "public")))),
      )
      .get(
        "/nacos/v2/console/namespace",
        v2(({ request }) => v2Success(namespaceJson(ns.get(required(queryParams(request), "namespaceId")), "public"))),
      )
      .post(
        "/nacos/v2/console/namespace",
        v2(async ({ request }) => {
          const p = await formParams(request);
          const name = p.text("namespaceName");
          if (name.trim() === "") throw missing("namespaceName");
          await ns.create(p.text("namespaceId"), name, p.text("namespaceDesc"));
          return v2Success(true);
        }),
        RAW_BODY,
      )
      .put(
        "/nacos/v2/console/namespace",
        v2(async ({ request }) => {
          const p = await formParams(request);
          const id = p.text("namespaceId");
          if (id.trim() === "") throw missing("namespaceId");
          const name = p.text("namespaceName");
          if (name.trim() === "") throw missing("namespaceName");
          await ns.update(id, name, p.text("namespaceDesc"));
          return v2Success(true);
        }),
        RAW_BODY,
      )
      .delete(
        "/nacos/v2/console/namespace",
        v2(async ({ request }) => {
          const p = await formParams(request);
          await ns.delete(required(p, "namespaceId"));
          return v2Success(true);
        }),
        RAW_BODY,
      )
  );
}
