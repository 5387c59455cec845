// Domain errors are typed once here; each adapter (HTTP v1/v2, gRPC) maps them to its wire format.

export type ErrorKind =
  | "invalid" // bad input: 400
  | "unauthorized" // no or bad credentials: 401
  | "forbidden" // authenticated but not allowed: 403
  | "not_found" // 404
  | "conflict" // CAS mismatch, duplicate: 409
  | "too_large" // over a size limit: 413
  | "unavailable" // starting, draining, no leader, no quorum: 503
  | "internal"; // a bug or an I/O failure: 500

const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
  internal: 500,
};

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Nacos's own error code where the protocol names one (e.g. 20404, 300); else the HTTP status. */
    readonly nacosCode: number = HTTP_STATUS[kind],
  ) {
    super(message);
    this.name = "DomainError";
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.kind];
  }
}

export const invalid = (message: string, code?: number) => new DomainError("invalid", message, code);
export const notFound = (message: string, code?: number) => new DomainError("not_found", message, code);
export const conflict = (message: string, code?: number) => new DomainError("conflict", message, code);
export const unavailable = (message: string, code?: number) => new DomainError("unavailable", message, code);

export function httpStatusOf(kind: ErrorKind): number {
  return HTTP_STATUS[kind];
}

/** Any thrown value as a DomainError; unknown errors become "internal" with their message. */
export function asDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DomainError("internal", message);
}
