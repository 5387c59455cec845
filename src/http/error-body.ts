// Nacos answers errors in two shapes: the v1 API (and unknown paths) with Spring's JSON error
// body, the v2/v3 API with {code, message, data}. Both come from here.
import type { DomainError } from "../errors.ts";

const REASON: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function reasonPhrase(status: number): string {
  return REASON[status] ?? "Error";
}

/** Spring-style body as Nacos 1.x returns it for errors outside a controller. */
export function springErrorBody(status: number, message: string, path: string): string {
  return JSON.stringify({ timestamp: new Date().toISOString(), status, error: reasonPhrase(status), message, path });
}

export function jsonError(status: number, message: string, path: string): Response {
  return new Response(springErrorBody(status, message, path), {
    status,
    headers: { "content-type": "application/json;charset=UTF-8" },
  });
}

/** Nacos v2 result body: {code, message, data}. */
export function v2Body(code: number, message: string, data: unknown = null): string {
  return JSON.stringify({ code, message, data });
}

export function v2Error(err: DomainError): Response {
  return new Response(v2Body(err.nacosCode, err.message), {
    status: err.httpStatus,
    headers: { "content-type": "application/json;charset=UTF-8" },
  });
}
