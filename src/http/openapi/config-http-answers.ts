// How the configuration center answers over HTTP, per API generation:
// - v1: raw bodies and Nacos RestResult {code, message, data}; a refused input gets its HTTP status with
//   the body Nacos's GlobalExceptionHandler writes ("caused: <message>;"), a missing parameter Spring's
//   JSON error;
// - v2/v3: Nacos Result {code, message, data}: on failure `code` is Nacos's ErrorCode, `message` its
//   summary and `data` the detail.
import type { Server } from "bun";
import { asDomainError, DomainError } from "../../errors.ts";
import { jsonError } from "../error-body.ts";
import { PARAMETER_MISSING } from "../../config/model/validation.ts";

export const JSON_UTF8 = "application/json;charset=UTF-8";
export const TEXT_UTF8 = "text/plain;charset=UTF-8";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": JSON_UTF8, ...headers } });
}

// The v1 write answer, built once and cloned: every SDK publish ends with it.
const TRUE_ANSWER = json(true);

/** `true` as JSON (Nacos v1 publish and delete). */
export function jsonTrue(): Response {
  return TRUE_ANSWER.clone();
}

export function text(body: string, status = 200, contentType = TEXT_UTF8): Response {
  return new Response(body, { status, headers: { "content-type": contentType } });
}

/** Nacos RestResult (v1 console-style endpoints). */
export function restResult(data: unknown, message: string | null = null, code = 200): Response {
  return json({ code, message, data });
}

/** Nacos v2 ErrorCode summaries, by code. */
const SUMMARY: Record<number, string> = {
  0: "success",
  10000: "parameter missing",
  10001: "access denied",
  20002: "parameter validate error",
  20004: "resource not found",
  20005: "resource conflict",
  22000: "illegal namespace",
  22001: "namespace not exist",
  22002: "namespace already exist",
  30000: "server error",
  50310: "fuzzy watch pattern over limit",
  50311: "fuzzy watch pattern matched count over limit",
};

/** Maps a DomainError to the v2 code Nacos uses for that kind when it named none of its own. */
function v2Code(err: DomainError): number {
  if (SUMMARY[err.nacosCode] !== undefined) return err.nacosCode;
  switch (err.kind) {
    case "invalid":
    case "too_large":
      return 20002;
    case "not_found":
      return 20004;
    case "conflict":
      return 20005;
    case "unauthorized":
    case "forbidden":
      return 10001;
    default:
      return 30000;
  }
}

export function v2Success(data: unknown): Response {
  return json({ code: 0, message: "success", data });
}

export function v2Failure(err: DomainError): Response {
  const code = v2Code(err);
  return json({ code, message: SUMMARY[code] ?? err.message, data: err.message }, err.httpStatus);
}

export function missing(name: string): DomainError {
  return new DomainError("invalid", `Required parameter '${name}' type String is not present`, PARAMETER_MISSING);
}

/** v1 answer for a refused request; anything that is not a DomainError goes on to the app's 500 handler. */
export function v1Failure(err: unknown, path: string): Response {
  if (!(err instanceof DomainError) || err.kind === "internal") throw err;
  if (err.nacosCode === PARAMETER_MISSING) {
    const name = /'([^']+)'/.exec(err.message)?.[1] ?? "?";
    return jsonError(400, `Required request parameter '${name}' for method parameter type String is not present`, path);
  }
  return text(`caused: ${err.message};`, err.httpStatus);
}

/** What the adapters read of Elysia's context. */
export interface RouteContext {
  request: Request;
  server: Server<unknown> | null;
}

type Handler = (ctx: RouteContext) => Response | Promise<Response>;

/** Runs a v1 handler, answering DomainErrors the v1 way. */
export function v1(handler: Handler): (ctx: RouteContext) => Promise<Response> {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (err) {
      return v1Failure(err, new URL(ctx.request.url).pathname);
    }
  };
}

/** Runs a v2/v3 handler, answering DomainErrors with a Result body. */
export function v2(handler: Handler): (ctx: RouteContext) => Promise<Response> {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (err) {
      const e = asDomainError(err);
      if (e.kind === "internal") throw err;
      return v2Failure(e);
    }
  };
}

/** Nacos writes dates as Jackson does for java.sql.Timestamp under Spring Boot: ISO-8601 with offset. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}
