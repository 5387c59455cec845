// A v1 route Bun serves itself, ahead of Elysia (see NativeRoutes): it applies the request limits and
// answers errors exactly as the Elysia app would — DomainErrors the v1 way, anything else a logged 500.
import type { Server } from "bun";
import { asDomainError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { jsonError } from "../error-body.ts";
import { checkRequestLimits, type RequestLimits } from "../request-limits.ts";
import { v1Failure } from "./config-http-answers.ts";

export type NativeHandler = (request: Request, server: Server<unknown>) => Response | Promise<Response>;
/** A native handler is also given the request's URL (Bun builds a new string on every `request.url`). */
export type NativeUrlHandler = (request: Request, server: Server<unknown>, url: string) => Response | Promise<Response>;

export function nativeV1Route(path: string, limits: RequestLimits, log: Logger, handler: NativeUrlHandler): NativeHandler {
  const failed = (err: unknown, method: string): Response => {
    const e = asDomainError(err);
    if (e.kind !== "internal") return v1Failure(e, path);
    log.error("request failed", { method, path, error: (err as Error)?.stack ?? String(err) });
    return jsonError(500, e.message, path);
  };
  return (request, server) => {
    const url = request.url;
    const refused = checkRequestLimits(request, limits, url);
    if (refused) return refused;
    try {
      const answer = handler(request, server, url);
      return answer instanceof Promise ? answer.catch((err: unknown) => failed(err, request.method)) : answer;
    } catch (err) {
      return failed(err, request.method);
    }
  };
}
