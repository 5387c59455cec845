// The unary Nacos call (/Request/request): one Payload in, one Payload out. The order of checks follows
// Nacos's GrpcRequestAcceptor: server ready (300) → handler known (302) → connection registered (301) →
// body parses (400) → access allowed (403) → handler. Every outcome is a Nacos response with gRPC status
// OK; a handler failure never turns into a transport error and never reaches the server loop.
import type { AccessChecker } from "../auth/access.ts";
import { DomainError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ConnectionRegistry } from "./connection-registry.ts";
import type { Payload } from "./generated/nacos_grpc_service.ts";
import type { HandlerRegistry, RegisteredHandler, RequestContext } from "./handler-registry.ts";
import type { CallContext } from "./method.ts";
import { makePayload, parseBody, readPayload, type JsonObject } from "./payload.ts";
import { errorBody, NacosErrorCode, NacosMessage, successBody } from "./response.ts";

export const ERROR_RESPONSE = "ErrorResponse";

export interface DispatcherDeps {
  handlers: HandlerRegistry;
  connections: ConnectionRegistry;
  access: AccessChecker;
  /** undefined when the node takes requests; else the message for errorCode 300. */
  notServing: () => string | undefined;
  log: Logger;
  now: () => number;
}

export class RequestDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  async dispatch(payload: Payload, call: CallContext): Promise<Payload> {
    const { handlers, connections, log } = this.deps;
    const incoming = readPayload(payload);
    const type = incoming.type;
    let body: JsonObject | undefined;
    let parseError: string | undefined;
    try {
      body = parseBody(incoming.body);
    } catch (err) {
      parseError = (err as Error).message;
    }
    const requestId = typeof body?.requestId === "string" ? body.requestId : body?.requestId !== undefined ? String(body.requestId) : "";
    const fail = (code: number, message: string, responseType = ERROR_RESPONSE) => makePayload(responseType, errorBody(requestId, code, message));

    const notServing = this.deps.notServing();
    if (notServing !== undefined) return fail(NacosErrorCode.INVALID_SERVER_STATUS, notServing);

    const handler = handlers.get(type);
    if (!handler) {
      log.warn("no handler for request type", { type: type || "(empty)", connection: call.session.id });
      return fail(NacosErrorCode.NO_HANDLER, NacosMessage.NO_HANDLER);
    }
    const connection = connections.entry(call.session.id);
    if (!connection && !handler.options.connectionless) {
      log.debug("request on an unregistered connection", { type, connection: call.session.id });
      return fail(NacosErrorCode.UN_REGISTER, NacosMessage.UNREGISTERED);
    }
    const errorType = handler.options.errorResponseType ?? ERROR_RESPONSE;
    if (body === undefined) {
      return fail(NacosErrorCode.INVALID_PARAM, `invalid ${type}: ${parseError}`, errorType);
    }
    if (connection) connections.touch(connection.id, this.deps.now());

    const headers: Record<string, string> = {};
    if (typeof body.headers === "object" && body.headers !== null && !Array.isArray(body.headers)) {
      for (const [k, v] of Object.entries(body.headers as JsonObject)) if (typeof v === "string") headers[k] = v;
    }
    Object.assign(headers, incoming.headers);
    const clientIp = incoming.clientIp || connection?.clientIp || call.session.remoteAddress;

    let identity: unknown;
    try {
      const decision = await this.checkAccess(handler, body, headers, clientIp, call.session.id);
      if (!decision.allowed) return fail(NacosErrorCode.NO_RIGHT, decision.message, errorType);
      identity = decision.identity;
    } catch (err) {
      log.error("access check failed", { type, error: err });
      return fail(NacosErrorCode.SERVER_ERROR, `access check failed: ${(err as Error)?.message ?? String(err)}`, errorType);
    }

    const context: RequestContext = {
      requestType: type,
      requestId,
      connectionId: call.session.id,
      clientIp,
      remoteIp: call.session.remoteAddress,
      remotePort: call.session.remotePort,
      headers,
      connection,
      identity,
      // Read through: the call creates its AbortController only when someone asks for the signal.
      get signal() {
        return call.signal;
      },
    };
    try {
      const result = await handler.handle(body, context);
      if (!result || typeof result.type !== "string" || result.type === "") {
        throw new Error(`handler for ${type} returned no response type`);
      }
      const fields = result.body ?? {};
      const out = result.error ? errorBody(requestId, result.error.code, result.error.message, fields) : successBody(requestId, fields);
      return makePayload(result.type, out);
    } catch (err) {
      if (err instanceof DomainError) {
        log.debug("request failed", { type, code: err.nacosCode, error: err.message });
        return fail(err.nacosCode, err.message, errorType);
      }
      log.error("request handler threw", { type, connection: call.session.id, error: err, stack: (err as Error)?.stack });
      return fail(NacosErrorCode.SERVER_ERROR, `internal error handling ${type}: ${(err as Error)?.message ?? String(err)}`, errorType);
    }
  }

  private async checkAccess(handler: RegisteredHandler, body: JsonObject, headers: Record<string, string>, clientIp: string, connectionId: string) {
    const access = handler.options.access;
    if (access === "public") return { allowed: true as const, identity: undefined };
    return this.deps.access.check({
      accessToken: headers.accessToken,
      action: access?.action ?? "read",
      resource: access?.resource?.(body),
      clientIp,
      source: { protocol: "grpc", requestType: handler.type, connectionId },
    });
  }
}
