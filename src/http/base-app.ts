// The Elysia app both HTTP ports start from: request limits, Nacos-style errors, no-leak 500s.
import { Elysia } from "elysia";
import type { Logger } from "../log.ts";
import { asDomainError, DomainError } from "../errors.ts";
import { jsonError, v2Error } from "./error-body.ts";
import { checkRequestLimits, type RequestLimits } from "./request-limits.ts";

/** Routes Bun serves itself (probes, hot SDK paths, the console page) are given to listen(), not here. */
export function baseApp(name: string, limits: RequestLimits, log: Logger) {
  return new Elysia({ name, strictPath: true })
    .onRequest(({ request }) => checkRequestLimits(request, limits))
    .onError({ as: "global" }, ({ code, error, request }) => {
      const path = new URL(request.url).pathname;
      if (code === "NOT_FOUND") return jsonError(404, `no handler for ${request.method} ${path}`, path);
      if (code === "PARSE") return jsonError(400, "request body could not be parsed", path);
      if (code === "VALIDATION") return jsonError(400, (error as Error).message, path);
      const err = error instanceof DomainError ? error : asDomainError(error);
      if (err.kind === "internal") log.error("request failed", { method: request.method, path, error: (error as Error)?.stack ?? String(error) });
      return path.startsWith("/nacos/v2/") || path.startsWith("/nacos/v3/") ? v2Error(err) : jsonError(err.httpStatus, err.message, path);
    });
}
