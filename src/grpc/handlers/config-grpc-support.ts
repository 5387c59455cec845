// What the config request handlers share: the access description of a config request, and how a
// refused request is answered under the handler's own response type with the errorCode Nacos's
// handlers use (400 bad input, 403 not allowed, 500 anything else the server refused, e.g. a CAS miss).
import type { AccessResource } from "../../auth/access.ts";
import { DomainError } from "../../errors.ts";
import type { HandlerResult } from "../handler-registry.ts";
import type { JsonObject } from "../payload.ts";
import { stringField } from "../validate.ts";

export function configResource(request: JsonObject): AccessResource {
  return { kind: "config", namespace: stringField(request, "tenant"), group: stringField(request, "group"), name: stringField(request, "dataId") };
}

export function grpcErrorCode(err: DomainError): number {
  switch (err.kind) {
    case "invalid":
    case "too_large":
      return 400;
    case "unauthorized":
    case "forbidden":
      return 403;
    default:
      return 500;
  }
}

/**
 * Runs a handler body; a DomainError becomes a failure of `responseType` (others go to the bridge's 500).
 * A body that answers synchronously is answered synchronously: no promise per call for reads.
 */
export function answering(responseType: string, run: () => HandlerResult | Promise<HandlerResult>): HandlerResult | Promise<HandlerResult> {
  let result: HandlerResult | Promise<HandlerResult>;
  try {
    result = run();
  } catch (err) {
    return refusal(responseType, err);
  }
  return result instanceof Promise ? result.catch((err: unknown) => refusal(responseType, err)) : result;
}

function refusal(responseType: string, err: unknown): HandlerResult {
  if (err instanceof DomainError && err.kind !== "internal") return { type: responseType, error: { code: grpcErrorCode(err), message: err.message } };
  throw err;
}

/** A string-valued map field (additionMap); anything else reads as empty. */
export function stringMap(request: JsonObject, field: string): Record<string, string> {
  const v = request[field];
  if (v === null || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === "string") out[k] = x;
  return out;
}
