// The fields every Nacos response carries (Java com.alibaba.nacos.api.remote.response.Response):
// resultCode 200 (success) or 500 (failure), errorCode (0 on success, else a NacosException code),
// message, requestId (the request's, echoed) and success (Jackson writes isSuccess(); the Go SDK reads it).
import type { JsonObject } from "./payload.ts";

export const ResultCode = { SUCCESS: 200, FAIL: 500 } as const;

/** NacosException codes the bridge itself answers with (api/.../exception/NacosException.java). */
export const NacosErrorCode = {
  /** Server not started (or shutting down): clients retry later or elsewhere. */
  INVALID_SERVER_STATUS: 300,
  /** The connection never sent ConnectionSetupRequest or was dropped: clients reconnect. */
  UN_REGISTER: 301,
  /** No handler for the request type. */
  NO_HANDLER: 302,
  INVALID_PARAM: 400,
  NO_RIGHT: 403,
  SERVER_ERROR: 500,
} as const;

/** Nacos's own texts for the bridge's answers (GrpcRequestAcceptor). */
export const NacosMessage = {
  STARTING: "Server is starting,please try later.",
  UNREGISTERED: "Connection is unregistered.",
  NO_HANDLER: "RequestHandler Not Found",
} as const;

export function successBody(requestId: string, body: JsonObject = {}): JsonObject {
  return { ...body, resultCode: ResultCode.SUCCESS, errorCode: 0, requestId, success: true };
}

/** The JSON text of successBody(requestId, fields) given JSON.stringify(fields) (which must hold none of the base fields). */
export function successJson(requestId: string, fieldsJson: string): string {
  const base = `"resultCode":${ResultCode.SUCCESS},"errorCode":0,"requestId":${JSON.stringify(requestId)},"success":true}`;
  return fieldsJson === "{}" ? `{${base}` : `${fieldsJson.slice(0, -1)},${base}`;
}

export function errorBody(requestId: string, errorCode: number, message: string, body: JsonObject = {}): JsonObject {
  return { ...body, resultCode: ResultCode.FAIL, errorCode, message, requestId, success: false };
}

/** A response from a client (a push ack) counts as success when resultCode is 200 (Java isSuccess()). */
export function isSuccessResponse(body: JsonObject): boolean {
  if (typeof body.resultCode === "number") return body.resultCode === ResultCode.SUCCESS;
  return body.success === true;
}
