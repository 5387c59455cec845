// The Nacos envelope: Payload { metadata { type, clientIp, headers }, body: Any { value = UTF-8 JSON } }.
// `type` is the Java class's simple name ("ConfigQueryRequest"); the JSON is that class as Jackson writes it
// (null fields left out). Request headers travel in metadata.headers; Java clients also put an emptied
// "headers" object in the JSON.
import type { Payload } from "./generated/nacos_grpc_service.ts";
import type { MessageCodec } from "./method.ts";
import { decodePayloadBytes, decodeRequestRange, encodeMessageFrame, encodePayloadBytes } from "./payload-codec.ts";

export type JsonObject = Record<string, unknown>;

export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PayloadError";
  }
}

export interface DecodedPayload {
  type: string;
  clientIp: string;
  headers: Record<string, string>;
  /** The body as sent (UTF-8 JSON, not yet parsed): its bytes, or its text once decoded. */
  body: Uint8Array | string;
}

/** A Nacos message to send: its type and its JSON body (response fields included), or that body's JSON text. */
export interface NacosMessageOut {
  type: string;
  body: JsonObject | string;
}

/** The message as a Payload (what dispatch() hands back, e.g. to tests). */
export function payloadOf(m: NacosMessageOut): Payload {
  if (typeof m.body !== "string") return makePayload(m.type, m.body);
  return { metadata: { type: m.type, clientIp: "", headers: {} }, body: { typeUrl: "", value: encoder.encode(m.body) } };
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export function readPayload(payload: Payload): DecodedPayload {
  return {
    type: payload.metadata?.type ?? "",
    clientIp: payload.metadata?.clientIp ?? "",
    headers: payload.metadata?.headers ?? {},
    body: payload.body?.value ?? new Uint8Array(0),
  };
}

/** Parses the body as a JSON object; throws PayloadError saying what is wrong. */
export function parseBody(body: Uint8Array | string): JsonObject {
  let text: string;
  if (typeof body === "string") text = body;
  else {
    try {
      text = decoder.decode(body);
    } catch {
      throw new PayloadError("body is not valid UTF-8");
    }
  }
  // (the common case starts with "{"; only then is trim() skipped, it copies the whole body)
  if (text.charCodeAt(0) !== 123 && text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PayloadError(`body is not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PayloadError(`body must be a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
  }
  return value as JsonObject;
}

/** Builds a Payload; `body` is written as JSON with undefined (and null) fields left out, like Jackson NON_NULL. */
export function makePayload(type: string, body: JsonObject, headers: Record<string, string> = {}, clientIp = ""): Payload {
  return {
    metadata: { type, clientIp, headers },
    body: { typeUrl: "", value: encoder.encode(toJson(body)) },
  };
}

/** JSON without nulls (Jackson NON_NULL). The replacer makes stringify several times slower, so it only runs when a null may be there. */
export function toJson(body: JsonObject): string {
  const fast = JSON.stringify(body);
  return fast.includes("null") ? JSON.stringify(body, dropNulls) : fast;
}

function dropNulls(_key: string, value: unknown): unknown {
  return value === null ? undefined : value;
}

export function encodePayload(payload: Payload): Uint8Array {
  return encodePayloadBytes(payload);
}

export function decodePayload(bytes: Uint8Array): Payload {
  return decodePayloadBytes(bytes);
}

/** /Request/request's requests: decoded from the call's chunk in place (see payload-codec.ts). */
export const NACOS_REQUEST_CODEC: MessageCodec<DecodedPayload> = {
  decode: (bytes) => decodeRequestRange(bytes, 0, bytes.length),
  decodeRange: decodeRequestRange,
  encode: (p) => encodePayloadBytes({ metadata: { type: p.type, clientIp: p.clientIp, headers: p.headers }, body: { typeUrl: "", value: typeof p.body === "string" ? encoder.encode(p.body) : p.body } }),
};

/** /Request/request's answers: the JSON written straight into the gRPC frame. */
export const NACOS_ANSWER_CODEC: MessageCodec<NacosMessageOut> = {
  decode: (bytes) => {
    const p = readPayload(decodePayloadBytes(bytes));
    return { type: p.type, body: parseBody(p.body) };
  },
  encode: (m) => encodePayloadBytes(payloadOf(m)),
  encodeFrame: (m) => encodeMessageFrame(m.type, typeof m.body === "string" ? m.body : toJson(m.body)),
};
