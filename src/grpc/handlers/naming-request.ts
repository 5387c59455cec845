// What the naming gRPC handlers share: the service a request names, the instance it carries, and
// how a naming refusal is answered. Nacos answers with its exception code (400 for bad input,
// 404, 500...), not the v2 HTTP detail code, so the handlers map DomainErrors themselves.
import { DomainError } from "../../errors.ts";
import type { AccessResource } from "../../auth/access.ts";
import type { InstanceInput } from "../../naming/instance-input.ts";
import { groupOrDefault, namespaceOrDefault, type ServiceKey } from "../../naming/model/names.ts";
import { missingParam } from "../../naming/naming-errors.ts";
import type { HandlerOptions, HandlerResult, RequestContext } from "../handler-registry.ts";
import type { JsonObject } from "../payload.ts";
import { stringField } from "../validate.ts";

/** namespace / groupName / serviceName of an AbstractNamingRequest. */
export function serviceKeyOf(request: JsonObject): ServiceKey {
  const name = stringField(request, "serviceName").trim();
  if (name === "") throw missingParam("serviceName");
  return { namespace: namespaceOrDefault(stringField(request, "namespace")), group: groupOrDefault(stringField(request, "groupName")), name };
}

/** The api Instance JSON of a request, as NamingService takes it. */
export function instanceOf(value: unknown, field = "instance"): InstanceInput {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new DomainError("invalid", `field ${field} must be an instance object`, 400);
  const i = value as JsonObject;
  const bool = (k: string) => (typeof i[k] === "boolean" ? (i[k] as boolean) : undefined);
  return {
    ip: i.ip,
    port: i.port,
    weight: i.weight,
    healthy: bool("healthy"),
    enabled: bool("enabled"),
    ephemeral: bool("ephemeral"),
    clusterName: typeof i.clusterName === "string" ? i.clusterName : undefined,
    metadata: i.metadata,
    instanceId: typeof i.instanceId === "string" ? i.instanceId : undefined,
  };
}

/** Nacos exception codes by kind of refusal. */
function nacosExceptionCode(err: DomainError): number {
  switch (err.kind) {
    case "invalid":
    case "too_large":
    case "conflict":
      return 400;
    case "not_found":
      return 404;
    case "forbidden":
    case "unauthorized":
      return 403;
    case "unavailable":
      return 503;
    default:
      return 500;
  }
}

/** Runs the handler; a DomainError becomes a failed `responseType` (other errors go to the bridge: 500). */
export function namingHandler(responseType: string, handle: (request: JsonObject, ctx: RequestContext) => HandlerResult | Promise<HandlerResult>) {
  return async (request: JsonObject, ctx: RequestContext): Promise<HandlerResult> => {
    try {
      return await handle(request, ctx);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === "internal") throw err;
      return { type: responseType, error: { code: nacosExceptionCode(err), message: err.message } };
    }
  };
}

/** Access description: a naming resource, read or write. */
export function namingAccess(action: "read" | "write"): HandlerOptions["access"] {
  return {
    action,
    resource: (request: JsonObject): AccessResource => ({
      kind: "naming",
      namespace: namespaceOrDefault(typeof request.namespace === "string" ? request.namespace : ""),
      group: groupOrDefault(typeof request.groupName === "string" ? request.groupName : ""),
      name: typeof request.serviceName === "string" ? request.serviceName : undefined,
    }),
  };
}

/** Who is calling, for subscriber lists: the SDK's version string and the app name it gave. */
export function callerOf(ctx: RequestContext): { agent: string; app: string } {
  return { agent: ctx.connection?.clientVersion ?? "", app: ctx.headers.app ?? ctx.connection?.appName ?? "" };
}
