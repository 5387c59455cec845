// The question every protocol adapter asks before running a request: may this caller do this?
// Adapters describe the request (token, action, resource); the auth domain answers. Until the auth domain
// exists, `allowAll` answers yes to everything (r-nacos's default: RNACOS_ENABLE_OPEN_API_AUTH=false).

export type AccessAction = "read" | "write";

/** What a request touches, in Nacos's terms (namespace / group / name of a config or a service). */
export interface AccessResource {
  kind: "config" | "naming" | "console" | "cluster" | "internal";
  namespace?: string;
  group?: string;
  name?: string;
}

export interface AccessRequest {
  /** The caller's token (gRPC: the "accessToken" metadata header; HTTP: the accessToken parameter). */
  accessToken: string | undefined;
  action: AccessAction;
  resource: AccessResource | undefined;
  clientIp: string;
  /** Where the request came in, for logs and protocol-specific rules. */
  source: { protocol: "grpc" | "http"; requestType: string; connectionId?: string };
}

export type AccessDecision =
  /** `identity` (e.g. the user name) is handed to the request handler. */
  | { allowed: true; identity?: unknown }
  | { allowed: false; message: string };

export interface AccessChecker {
  check(request: AccessRequest): AccessDecision | Promise<AccessDecision>;
  /** True when check() allows every request without looking at it: callers may skip building the request. */
  readonly allowsAll?: boolean;
}

export const allowAll: AccessChecker = {
  check: () => ({ allowed: true }),
  allowsAll: true,
};
