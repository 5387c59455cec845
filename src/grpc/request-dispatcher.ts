// The unary Nacos call (/Request/request): one Payload in, one Payload out. The order of checks follows
// Nacos's GrpcRequestAcceptor: server ready (300) → handler known (302) → connection registered (301) →
// body parses (400) → access allowed (403) → handler. Every outcome is a Nacos response with gRPC status
// OK; a handler failure never turns into a transport error and never reaches the server loop.
import type { AccessChecker, AccessDecision } from "../auth/access.ts";
import { DomainError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ConnectionInfo, ConnectionRegistry } from "./connection-registry.ts";
import type { Payload } from "./generated/nacos_grpc_service.ts";
import type { HandlerRegistry, HandlerResult, RegisteredHandler, RequestContext } from "./handler-registry.ts";
import type { CallContext } from "./method.ts";
import { parseBody, payloadOf, readPayload, type DecodedPayload, type JsonObject, type NacosMessageOut } from "./payload.ts";
import { errorBody, NacosErrorCode, NacosMessage, successBody, successJson } from "./response.ts";

export const ERROR_RESPONSE = "ErrorResponse";

const PUBLIC: AccessDecision = { allowed: true, identity: undefined };

/** A request that passed the checks before access: what the rest of the dispatch needs. */
interface Accepted {
  handler: RegisteredHandler;
  type: string;
  errorType: string;
  requestId: string;
  body: JsonObject;
  headers: Record<string, string>;
  clientIp: string;
  connection: ConnectionInfo | undefined;
  call: CallContext;
}

export interface DispatcherDeps {
  handlers: HandlerRegistry;
  connections: ConnectionRegistry;
  access: AccessChecker;
  /** undefined when the node takes requests; else the message for errorCode 300. */
  notServing: () => string | undefined;
  log: Logger;
  now: () => number;
}

function failure(requestId: string, code: number, message: string, responseType = ERROR_RESPONSE): NacosMessageOut {
  return { type: responseType, body: errorBody(requestId, code, message) };
}

const toPayload = (m: NacosMessageOut): Payload => payloadOf(m);

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The JSON "headers" object's string values overlaid with the metadata headers (one shared empty object when both are empty). */
function mergedHeaders(inBody: unknown, metadata: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  if (typeof inBody === "object" && inBody !== null && !Array.isArray(inBody)) {
    for (const k in inBody as JsonObject) {
      const v = (inBody as JsonObject)[k];
      if (typeof v === "string") (out ??= {})[k] = v;
    }
  }
  for (const k in metadata) (out ??= {})[k] = metadata[k]!;
  return out ?? (NO_HEADERS as Record<string, string>);
}

/** A handler's view of its request (a class: its signal getter lives on the prototype, not per call). */
class CallRequestContext implements RequestContext {
  readonly requestType: string;
  readonly requestId: string;
  readonly connectionId: string;
  readonly clientIp: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly connection: ConnectionInfo | undefined;
  private readonly call: CallContext;

  constructor(
    r: Accepted,
    readonly identity: unknown,
  ) {
    const session = r.call.session;
    this.requestType = r.type;
    this.requestId = r.requestId;
    this.connectionId = session.id;
    this.clientIp = r.clientIp;
    this.remoteIp = session.remoteAddress;
    this.remotePort = session.remotePort;
    this.headers = r.headers;
    this.connection = r.connection;
    this.call = r.call;
  }

  /** Read through: the call creates its AbortController only when someone asks for the signal. */
  get signal(): AbortSignal {
    return this.call.signal;
  }
}

export class RequestDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** The answer to a request Payload, as a Payload. */
  dispatch(payload: Payload, call: CallContext): Payload | Promise<Payload> {
    const out = this.answer(readPayload(payload), call);
    return out instanceof Promise ? out.then(toPayload) : toPayload(out);
  }

  /** The answer to a decoded request: its type and JSON body (what /Request/request frames directly). */
  answer(incoming: DecodedPayload, call: CallContext): NacosMessageOut | Promise<NacosMessageOut> {
    const { handlers, connections, log } = this.deps;
    const type = incoming.type;
    let body: JsonObject | undefined;
    let parseError: string | undefined;
    try {
      body = parseBody(incoming.body);
    } catch (err) {
      parseError = (err as Error).message;
    }
    const requestId = typeof body?.requestId === "string" ? body.requestId : body?.requestId !== undefined ? String(body.requestId) : "";

    const notServing = this.deps.notServing();
    if (notServing !== undefined) return failure(requestId, NacosErrorCode.INVALID_SERVER_STATUS, notServing);

    const handler = handlers.get(type);
    if (!handler) {
      log.warn("no handler for request type", { type: type || "(empty)", connection: call.session.id });
      return failure(requestId, NacosErrorCode.NO_HANDLER, NacosMessage.NO_HANDLER);
    }
    const connection = connections.entry(call.session.id);
    if (!connection && !handler.options.connectionless) {
      log.debug("request on an unregistered connection", { type, connection: call.session.id });
      return failure(requestId, NacosErrorCode.UN_REGISTER, NacosMessage.UNREGISTERED);
    }
    const errorType = handler.options.errorResponseType ?? ERROR_RESPONSE;
    if (body === undefined) {
      return failure(requestId, NacosErrorCode.INVALID_PARAM, `invalid ${type}: ${parseError}`, errorType);
    }
    if (connection) connections.touch(connection.id, this.deps.now());

    const headers = mergedHeaders(body.headers, incoming.headers);
    const clientIp = incoming.clientIp || connection?.clientIp || call.session.remoteAddress;

    let decision: AccessDecision | Promise<AccessDecision>;
    try {
      decision = this.checkAccess(handler, body, headers, clientIp, call.session.id);
    } catch (err) {
      return this.accessFailed(type, errorType, requestId, err);
    }
    const request: Accepted = { handler, type, errorType, requestId, body, headers, clientIp, connection, call };
    // Stays synchronous while the checker and the handler are (most are): no promise per call then.
    if (decision instanceof Promise) {
      return decision.then(
        (d) => this.afterAccess(request, d),
        (err: unknown) => this.accessFailed(type, errorType, requestId, err),
      );
    }
    return this.afterAccess(request, decision);
  }

  private accessFailed(type: string, errorType: string, requestId: string, err: unknown): NacosMessageOut {
    this.deps.log.error("access check failed", { type, error: err });
    return failure(requestId, NacosErrorCode.SERVER_ERROR, `access check failed: ${(err as Error)?.message ?? String(err)}`, errorType);
  }

  private afterAccess(r: Accepted, decision: AccessDecision): NacosMessageOut | Promise<NacosMessageOut> {
    if (!decision.allowed) return failure(r.requestId, NacosErrorCode.NO_RIGHT, decision.message, r.errorType);
    const context = new CallRequestContext(r, decision.identity);
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = r.handler.handle(r.body, context);
    } catch (err) {
      return this.handlerFailed(r, err);
    }
    if (result instanceof Promise) {
      return result.then(
        (out) => this.toMessage(r, out),
        (err: unknown) => this.handlerFailed(r, err),
      );
    }
    return this.toMessage(r, result);
  }

  private toMessage(r: Accepted, result: HandlerResult): NacosMessageOut {
    if (!result || typeof result.type !== "string" || result.type === "") {
      return this.handlerFailed(r, new Error(`handler for ${r.type} returned no response type`));
    }
    if (result.bodyJson !== undefined && !result.error) return { type: result.type, body: successJson(r.requestId, result.bodyJson) };
    const fields = result.body ?? {};
    const body = result.error ? errorBody(r.requestId, result.error.code, result.error.message, fields) : successBody(r.requestId, fields);
    return { type: result.type, body };
  }

  private handlerFailed(r: Accepted, err: unknown): NacosMessageOut {
    const fail = (code: number, message: string) => failure(r.requestId, code, message, r.errorType);
    if (err instanceof DomainError) {
      this.deps.log.debug("request failed", { type: r.type, code: err.nacosCode, error: err.message });
      return fail(err.nacosCode, err.message);
    }
    this.deps.log.error("request handler threw", { type: r.type, connection: r.call.session.id, error: err, stack: (err as Error)?.stack });
    return fail(NacosErrorCode.SERVER_ERROR, `internal error handling ${r.type}: ${(err as Error)?.message ?? String(err)}`);
  }

  private checkAccess(handler: RegisteredHandler, body: JsonObject, headers: Record<string, string>, clientIp: string, connectionId: string) {
    const access = handler.options.access;
    if (access === "public" || this.deps.access.allowsAll) return PUBLIC;
    return this.deps.access.check({
      accessToken: headers.accessToken,
      action: access?.action ?? "read",
      resource: access?.resource?.(body),
      clientIp,
      source: { protocol: "grpc", requestType: handler.type, connectionId },
    });
  }
}
