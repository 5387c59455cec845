// Shared by the naming route plugins: request parameters (query and form/JSON body together, query
// first, as Spring's getParameter reads them), the ServiceKey they name, and Nacos's answer shapes.
// v1 naming answers errors as text with the status (Nacos ResponseExceptionHandler); v2 as
// {code, message, data} with the detail code, the short text and the specific message.
import { asDomainError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { badParam, missingParam, NAMING_CODE_TEXT } from "../../naming/naming-errors.ts";
import { namespaceOrDefault, type ServiceKey, splitGroupedName } from "../../naming/model/names.ts";
import { checkBoolean, checkIp, checkMetadata, checkPort } from "../../naming/validation.ts";
import type { BeatInfo } from "../../naming/naming-service.ts";

export type Params = Record<string, string | undefined>;

export const JSON_HEADERS = { "content-type": "application/json;charset=UTF-8" } as const;
const TEXT_HEADERS = { "content-type": "text/plain;charset=UTF-8" } as const;

export function params(query: Record<string, unknown> | undefined, body: unknown): Params {
  const out: Params = {};
  const take = (source: unknown) => {
    if (!source || typeof source !== "object" || Array.isArray(source)) return;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      if (out[k] !== undefined) continue;
      if (typeof v === "string") out[k] = v;
      else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
      else if (Array.isArray(v) && typeof v[0] === "string") out[k] = v[0];
    }
  };
  take(query);
  take(body);
  return out;
}

/**
 * The query string of a request URL as Params (first value wins). A plain split: on the hot
 * paths (list, beat) it is several times cheaper than URLSearchParams or Elysia's parser.
 */
export function queryOf(url: string): Params {
  const out: Params = {};
  const at = url.indexOf("?");
  if (at < 0) return out;
  const end = url.indexOf("#", at);
  const query = end < 0 ? url.slice(at + 1) : url.slice(at + 1, end);
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const k = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (out[k] === undefined) out[k] = eq < 0 ? "" : decode(pair.slice(eq + 1));
  }
  return out;
}

function decode(text: string): string {
  if (text.indexOf("%") < 0 && text.indexOf("+") < 0) return text;
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    throw badParam(`malformed percent-encoding in the query: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

export function required(p: Params, name: string): string {
  const v = p[name];
  if (v === undefined || v.trim() === "") throw missingParam(name);
  return v.trim();
}

/** serviceName (plain or group@@service), groupName and namespaceId as one key. */
export function serviceKeyFrom(p: Params): ServiceKey {
  const { group, name } = splitGroupedName(required(p, "serviceName"), p.groupName);
  return { namespace: namespaceOrDefault(p.namespaceId), group, name };
}

export function optionalBoolean(p: Params, name: string): boolean | undefined {
  const v = p[name];
  return v === undefined || v.trim() === "" ? undefined : checkBoolean(v, name);
}

export function intParam(p: Params, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = p[name];
  if (v === undefined || v.trim() === "") return fallback;
  const n = Number(v);
  if (!/^\s*-?\d+\s*$/.test(v) || n < min || n > max) {
    throw badParam(`Param '${name}' is illegal: expected an integer ${min}-${max} (got ${JSON.stringify(v)})`);
  }
  return n;
}

export function json(value: unknown): Response {
  return new Response(JSON.stringify(value), { headers: JSON_HEADERS });
}

export function text(value: string): Response {
  return new Response(value, { headers: TEXT_HEADERS });
}

/** A v2 success: {code: 0, message: "success", data}. */
export function v2Ok(data: unknown): Response {
  return json({ code: 0, message: "success", data });
}

/**
 * Runs a v1 handler body: refusals become "status + text message", unexpected errors are logged.
 * Routes destructure what they use in their own parameters (`({ query }) => v1(log, () => ...)`):
 * Elysia reads that to parse only those parts of the request.
 */
export async function v1(log: Logger, handle: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await handle();
  } catch (err) {
    const e = asDomainError(err);
    if (e.kind === "internal") log.error("naming request failed", { error: (err as Error)?.stack ?? String(err) });
    return new Response(e.message, { status: e.httpStatus, headers: TEXT_HEADERS });
  }
}

/** Runs a v2 handler body: refusals become {code: detail code, message: short text, data: message}. */
export async function v2(log: Logger, handle: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await handle();
  } catch (err) {
    const e = asDomainError(err);
    if (e.kind === "internal") log.error("naming request failed", { error: (err as Error)?.stack ?? String(err) });
    const code = e.kind === "internal" ? 30000 : e.nacosCode;
    return new Response(JSON.stringify({ code, message: NAMING_CODE_TEXT[code] ?? e.message, data: e.message }), { status: e.httpStatus, headers: JSON_HEADERS });
  }
}

/** The `beat` parameter: JSON the 1.x clients send with each heartbeat (Nacos RsInfo). */
export function parseBeat(p: Params): BeatInfo | undefined {
  const raw = p.beat;
  if (raw === undefined || raw.trim() === "") return undefined;
  let beat: Record<string, unknown>;
  try {
    beat = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw badParam("Param 'beat' is not valid JSON");
  }
  if (!beat || typeof beat !== "object" || Array.isArray(beat)) throw badParam("Param 'beat' must be a JSON object");
  const cluster = typeof beat.cluster === "string" && beat.cluster.trim() !== "" ? beat.cluster : (p.clusterName ?? p.cluster);
  return {
    ip: checkIp(String(beat.ip ?? "")),
    port: checkPort(beat.port),
    cluster,
    weight: typeof beat.weight === "number" ? beat.weight : undefined,
    metadata: checkMetadata(beat.metadata),
  };
}
