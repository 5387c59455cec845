// Nacos request handlers by request type ("ConfigQueryRequest" → handler). A handler translates: it reads
// the parsed JSON request, calls a domain service and returns the response type and body. The bridge
// fills resultCode / errorCode / success / requestId and maps thrown errors (see request-dispatcher.ts).
import type { AccessAction, AccessResource } from "../auth/access.ts";
import type { ConnectionInfo } from "./connection-registry.ts";
import type { JsonObject } from "./payload.ts";

export interface RequestContext {
  readonly requestType: string;
  /** The request's requestId ("" when the client sent none); echoed in the response by the bridge. */
  readonly requestId: string;
  readonly connectionId: string;
  /** The IP the client reports (payload metadata), else the connection's, else the socket's. */
  readonly clientIp: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  /** Request headers: the JSON "headers" object overlaid with payload metadata headers (accessToken, app...). */
  readonly headers: Readonly<Record<string, string>>;
  /** What the client told at ConnectionSetupRequest; undefined only for `connectionless` handlers. */
  readonly connection: ConnectionInfo | undefined;
  /** What the AccessChecker returned for an allowed request (e.g. the user), if anything. */
  readonly identity: unknown;
  /** Aborted when the client cancels, the deadline passes or the connection closes. */
  readonly signal: AbortSignal;
}

export interface HandlerResult {
  /** The response class name, e.g. "ConfigQueryResponse". */
  type: string;
  /** Response-specific fields; the bridge adds resultCode, errorCode, success, requestId. */
  body?: JsonObject;
  /**
   * The same fields already written as JSON object text (nulls left out, none of the bridge's fields),
   * for answers worth serializing once (a config version read by many clients). Used instead of `body`
   * on success.
   */
  bodyJson?: string;
  /** Answer with a failure under this handler's own type (e.g. ConfigQueryResponse errorCode 300 for "not found"). */
  error?: { code: number; message: string };
}

export type RequestHandler = (request: JsonObject, context: RequestContext) => HandlerResult | Promise<HandlerResult>;

export interface HandlerOptions {
  /**
   * Response type used when the handler throws a DomainError; default "ErrorResponse". Set it where the
   * SDK expects its own type even on failure.
   */
  errorResponseType?: string;
  /** How the AccessChecker sees the request; "public" skips it (health and server checks). Default: read, no resource. */
  access?: "public" | { action: AccessAction; resource?: (request: JsonObject) => AccessResource | undefined };
  /** Run without a registered connection (Nacos requires one for everything but ServerCheckRequest). */
  connectionless?: boolean;
}

export interface RegisteredHandler {
  readonly type: string;
  readonly handle: RequestHandler;
  readonly options: Readonly<HandlerOptions>;
}

export class HandlerRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();

  /** Registers the handler for a request type; registering a type twice is a programming error. */
  register(type: string, handle: RequestHandler, options: HandlerOptions = {}): void {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(type)) throw new Error(`invalid Nacos request type "${type}"`);
    if (this.handlers.has(type)) throw new Error(`a handler for ${type} is already registered`);
    this.handlers.set(type, { type, handle, options: { ...options } });
  }

  get(type: string): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
