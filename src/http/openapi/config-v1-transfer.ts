// Export (`export=true` / `exportV2=true`, a zip download), import (`import=true`, a multipart `file`)
// and clone (`clone=true`, a JSON list of {cfgId, dataId, group}) on /nacos/v1/cs/configs, answering as
// Nacos's ConfigController does (RestResult with ResultCodeEnum codes).
import type { Server } from "bun";
import type { ConfigApi } from "../../config/config-api.ts";
import { SAME_CONFIG_POLICIES, type SameConfigPolicy } from "../../config/commands/import-configs.ts";
import type { CloneSource, ImportAnswer, ImportFailure } from "../../config/transfer/config-transfer.ts";
import { invalidParam } from "../../config/model/validation.ts";
import { missing, restResult } from "./config-http-answers.ts";
import { remoteIp, type Params } from "./config-http-params.ts";
import { parseIds } from "./config-v1-write.ts";

const FAILURE_CODE: Record<ImportFailure, number> = {
  NAMESPACE_NOT_EXIST: 100001,
  METADATA_ILLEGAL: 100002,
  PARSING_DATA_FAILED: 100004,
  DATA_EMPTY: 100005,
  NO_SELECTED_CONFIG: 100006,
};

function policyOf(value: string): SameConfigPolicy {
  const raw = value || "ABORT";
  if (!(SAME_CONFIG_POLICIES as readonly string[]).includes(raw)) throw invalidParam(`invalid policy : ${raw} (ABORT, SKIP or OVERWRITE)`);
  return raw as SameConfigPolicy;
}

function answer(a: ImportAnswer, successMessage: string): Response {
  if (!a.ok) return restResult({ succCount: 0 }, a.message, FAILURE_CODE[a.failure]);
  const r = a.result;
  const data: Record<string, unknown> = { succCount: r.succCount, skipCount: r.skipCount };
  if (r.failData.length > 0) data.failData = r.failData;
  if (r.skipData.length > 0) data.skipData = r.skipData;
  if (r.unrecognizedData.length > 0) {
    data.unrecognizedCount = r.unrecognizedData.length;
    data.unrecognizedData = r.unrecognizedData;
  }
  return restResult(data, successMessage);
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function exportConfigsV1(api: ConfigApi, params: Params, format: "v1" | "v2"): Response {
  const ids = params.text("ids");
  const zip = api.transfer.exportZip(
    { namespace: params.text("tenant"), dataId: params.text("dataId"), group: params.text("group"), appName: params.text("appName"), ids: ids ? parseIds(ids) : undefined },
    format,
  );
  return new Response(zip as Uint8Array<ArrayBuffer>, {
    headers: { "Content-Type": "application/zip", "Content-Disposition": `attachment;filename=nacos_config_export_${stamp(api.now())}.zip` },
  });
}

export async function importConfigsV1(api: ConfigApi, request: Request, server: Server<unknown> | null, query: Params): Promise<Response> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) return restResult({ succCount: 0 }, "Imported file data is empty", FAILURE_CODE.DATA_EMPTY);
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw invalidParam("the multipart body could not be parsed");
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) return restResult({ succCount: 0 }, "Imported file data is empty", FAILURE_CODE.DATA_EMPTY);
  const field = (name: string) => query.get(name) ?? (typeof form.get(name) === "string" ? (form.get(name) as string) : "");
  const policy = policyOf(field("policy"));
  const result = await api.transfer.importZip(new Uint8Array(await file.arrayBuffer()), field("namespace"), policy, {
    srcIp: remoteIp(request, server),
    srcUser: field("src_user"),
  });
  return answer(result, "import success");
}

export async function cloneConfigsV1(api: ConfigApi, request: Request, server: Server<unknown> | null, query: Params): Promise<Response> {
  const tenant = query.get("tenant");
  if (tenant === undefined) throw missing("tenant");
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw invalidParam("the body must be a JSON list of {cfgId, dataId, group}");
  }
  if (!Array.isArray(body)) throw invalidParam("the body must be a JSON list of {cfgId, dataId, group}");
  const sources: CloneSource[] = [];
  for (const item of body) {
    if (item === null || typeof item !== "object") continue;
    const o = item as Record<string, unknown>;
    const id = Number(o.cfgId);
    if (!Number.isInteger(id)) throw invalidParam(`invalid cfgId : ${String(o.cfgId)}`);
    sources.push({ cfgId: id, dataId: typeof o.dataId === "string" ? o.dataId : undefined, group: typeof o.group === "string" ? o.group : undefined });
  }
  const result = await api.transfer.clone(tenant, sources, policyOf(query.text("policy")), { srcIp: remoteIp(request, server), srcUser: query.text("src_user") });
  return answer(result, "Clone Completed Successfully");
}
