// Naming refusals as DomainErrors. nacosCode carries Nacos's v2 detail code (api ErrorCode), which
// the v2 HTTP body reports; v1 answers with the HTTP status and the message, gRPC with the status.
import { DomainError, type ErrorKind } from "../errors.ts";

export const NamingCode = {
  PARAMETER_MISSING: 10000,
  PARAMETER_VALIDATE_ERROR: 20002,
  RESOURCE_NOT_FOUND: 20004,
  SERVICE_NAME_ERROR: 21000,
  WEIGHT_ERROR: 21001,
  INSTANCE_METADATA_ERROR: 21002,
  INSTANCE_NOT_FOUND: 21003,
  INSTANCE_ERROR: 21004,
  SERVICE_METADATA_ERROR: 21005,
  SELECTOR_ERROR: 21006,
  SERVICE_ALREADY_EXIST: 21007,
  SERVICE_NOT_EXIST: 21008,
  SERVICE_DELETE_FAILURE: 21009,
  ILLEGAL_NAMESPACE: 22000,
  SERVER_ERROR: 30000,
  OVER_LIMIT: 50311,
} as const;

/** Nacos's short text for each detail code (the v2 body's "message"). */
export const NAMING_CODE_TEXT: Record<number, string> = {
  10000: "parameter missing",
  20002: "parameter validate error",
  20004: "resource not found",
  21000: "service name error",
  21001: "weight error",
  21002: "instance metadata error",
  21003: "instance not found",
  21004: "instance error",
  21005: "service metadata error",
  21006: "selector error",
  21007: "service already exist",
  21008: "service not exist",
  21009: "service delete failure",
  22000: "illegal namespace",
  30000: "server error",
  50311: "over limit",
};

function error(kind: ErrorKind, code: number, message: string): DomainError {
  return new DomainError(kind, message, code);
}

export const missingParam = (name: string) => error("invalid", NamingCode.PARAMETER_MISSING, `Param '${name}' is required.`);
export const badParam = (message: string, code: number = NamingCode.PARAMETER_VALIDATE_ERROR) => error("invalid", code, message);
export const serviceNotFound = (grouped: string, namespace: string) =>
  error("invalid", NamingCode.SERVICE_NOT_EXIST, `service not found, namespace: ${namespace}, serviceName: ${grouped}`);
export const instanceNotFound = (message: string) => error("not_found", NamingCode.RESOURCE_NOT_FOUND, message);
export const overLimit = (message: string) => error("too_large", NamingCode.OVER_LIMIT, message);
