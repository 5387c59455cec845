// Protobuf wire format of the Nacos Payload, written out by hand because every call goes through it:
// the generated protobuf-ts codec builds writers, forks and joins per field, which was ~8% of the CPU of
// a unary call under h2load (bench/suites/grpc-health.ts). Same bytes as protobuf-ts (fields in number
// order, proto3 defaults left out); decoding skips unknown fields and lets the last value of a field win,
// as protobuf does. test/unit/grpc/payload-codec.test.ts checks both against the generated codec.
//
//   Payload  { Metadata metadata = 2; google.protobuf.Any body = 3; }
//   Metadata { string type = 3; map<string,string> headers = 7; string clientIp = 8; }
//   Any      { string type_url = 1; bytes value = 2; }
//
// The unary path (/Request/request) decodes straight from the HTTP/2 chunk and writes answers straight
// into a Buffer: in JSC a view (subarray) of a small, fresh Uint8Array, or its .buffer, copies it into a
// new backing store first, and node:http2 takes `.buffer` of every written Uint8Array that is not a
// Buffer. Those copies were ~1 µs of a ~20 µs call.
import type { Any } from "./generated/google/protobuf/any.ts";
import type { Metadata, Payload } from "./generated/nacos_grpc_service.ts";
import { FRAME_HEADER_BYTES, writeFrameHeader } from "./framing.ts";
import type { MessageCodec } from "./method.ts";
import type { DecodedPayload } from "./payload.ts";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Buffer's string slicers read a range of any Uint8Array without making a view of it (Bun, as Node).
const slicers = Buffer.prototype as unknown as {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
  utf8Slice(this: Uint8Array, start: number, end: number): string;
};
const latin1Slice = slicers.latin1Slice;
const utf8Slice = slicers.utf8Slice;

/** bytes[start, end) as a string, throwing on invalid UTF-8 (like TextDecoder with fatal). */
function strictString(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? latin1Slice.call(bytes, start, end) : strictUtf8.decode(bytes.subarray(start, end));
}

/**
 * UTF-8 text of bytes[start, end), or undefined when it may not be valid UTF-8 (the lenient decoder put
 * a U+FFFD in: either the bytes are invalid or they hold a real U+FFFD; a strict decode tells later).
 */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string | undefined {
  const text = utf8Slice.call(bytes, start, end);
  return text.includes("\uFFFD") ? undefined : text;
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

// --- encoding ---------------------------------------------------------------------------------

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

class Writer {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  varint(n: number): void {
    while (n > 0x7f) {
      this.bytes[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.bytes[this.pos++] = n;
  }
  /** A length-delimited field from bytes already encoded, or from an ASCII string (see utf8Of). */
  field(tag: number, data: Uint8Array | string): void {
    this.bytes[this.pos++] = tag;
    this.varint(data.length);
    if (typeof data === "string") {
      for (let i = 0; i < data.length; i++) this.bytes[this.pos + i] = data.charCodeAt(i);
    } else {
      this.bytes.set(data, this.pos);
    }
    this.pos += data.length;
  }
}

/**
 * A string's UTF-8 form: the string itself when it is ASCII (one byte per char, written in place by
 * Writer.field), else its encoded bytes. Type names and IPs are ASCII: no allocation for them.
 */
function utf8Of(s: string): Uint8Array | string {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return utf8.encode(s);
  return s;
}

/** Tag bytes (field number << 3 | wire type); all fields here are below 16, so one byte each. */
const TAG = {
  payloadMetadata: (2 << 3) | WIRE_LEN,
  payloadBody: (3 << 3) | WIRE_LEN,
  metadataType: (3 << 3) | WIRE_LEN,
  metadataHeaders: (7 << 3) | WIRE_LEN,
  metadataClientIp: (8 << 3) | WIRE_LEN,
  entryKey: (1 << 3) | WIRE_LEN,
  entryValue: (2 << 3) | WIRE_LEN,
  anyTypeUrl: (1 << 3) | WIRE_LEN,
  anyValue: (2 << 3) | WIRE_LEN,
};

const lenField = (size: number) => 1 + varintSize(size) + size;

/** Encodes a Payload; `reserve` bytes are left free at the start (for a gRPC frame header, saving a copy). */
export function encodePayloadBytes(payload: Payload, reserve = 0): Uint8Array {
  // Strings are encoded once up front so every length is known before writing.
  let metadataSize = 0;
  let type: Uint8Array | string | undefined;
  let clientIp: Uint8Array | string | undefined;
  let entries: { key: Uint8Array | string; value: Uint8Array | string; size: number }[] | undefined;
  const metadata = payload.metadata;
  if (metadata) {
    if (metadata.type !== "") {
      type = utf8Of(metadata.type);
      metadataSize += lenField(type.length);
    }
    for (const k in metadata.headers) {
      const key = utf8Of(k);
      const value = utf8Of(metadata.headers[k]!);
      // protobuf-ts writes both key and value of a map entry, even when empty
      const size = lenField(key.length) + lenField(value.length);
      (entries ??= []).push({ key, value, size });
      metadataSize += lenField(size);
    }
    if (metadata.clientIp !== "") {
      clientIp = utf8Of(metadata.clientIp);
      metadataSize += lenField(clientIp.length);
    }
  }
  let bodySize = 0;
  let typeUrl: Uint8Array | string | undefined;
  const body = payload.body;
  if (body) {
    if (body.typeUrl !== "") {
      typeUrl = utf8Of(body.typeUrl);
      bodySize += lenField(typeUrl.length);
    }
    if (body.value.length > 0) bodySize += lenField(body.value.length);
  }
  const size = reserve + (metadata ? lenField(metadataSize) : 0) + (body ? lenField(bodySize) : 0);
  // A frame (reserve > 0) goes to node:http2, which takes a Buffer as it is (see the top of the file).
  const w = new Writer(reserve > 0 ? Buffer.allocUnsafe(size) : new Uint8Array(size));
  w.pos = reserve;
  if (metadata) {
    w.bytes[w.pos++] = TAG.payloadMetadata;
    w.varint(metadataSize);
    if (type) w.field(TAG.metadataType, type);
    for (const e of entries ?? []) {
      w.bytes[w.pos++] = TAG.metadataHeaders;
      w.varint(e.size);
      w.field(TAG.entryKey, e.key);
      w.field(TAG.entryValue, e.value);
    }
    if (clientIp) w.field(TAG.metadataClientIp, clientIp);
  }
  if (body) {
    w.bytes[w.pos++] = TAG.payloadBody;
    w.varint(bodySize);
    if (typeUrl) w.field(TAG.anyTypeUrl, typeUrl);
    if (body.value.length > 0) w.field(TAG.anyValue, body.value);
  }
  return w.bytes;
}

// --- decoding ---------------------------------------------------------------------------------

export class PayloadDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PayloadDecodeError";
  }
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new PayloadDecodeError("premature end of message");
      const b = this.bytes[this.pos++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else if (shift < 63) result += (b & 0x7f) * 2 ** shift; // beyond 32 bits only lengths we then reject
      else throw new PayloadDecodeError("varint too long");
      if (b < 0x80) return result;
      shift += 7;
    }
  }

  /** The end offset of a length-delimited field starting here. */
  lengthEnd(limit: number): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > limit) throw new PayloadDecodeError("length-delimited field runs past its message");
    return end;
  }

  string(limit: number): string {
    const end = this.lengthEnd(limit);
    const s = strictString(this.bytes, this.pos, end);
    this.pos = end;
    return s;
  }

  skip(wireType: number, limit: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        break;
      case WIRE_I64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lengthEnd(limit);
        break;
      case WIRE_I32:
        this.pos += 4;
        break;
      default:
        throw new PayloadDecodeError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > limit) throw new PayloadDecodeError("field runs past its message");
  }
}

function readMetadata(r: Reader, end: number, into: Metadata | undefined): Metadata {
  const m: Metadata = into ?? { type: "", clientIp: "", headers: {} };
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 3 && wire === WIRE_LEN) m.type = r.string(end);
    else if (field === 8 && wire === WIRE_LEN) m.clientIp = r.string(end);
    else if (field === 7 && wire === WIRE_LEN) {
      const entryEnd = r.lengthEnd(end);
      let key = "";
      let value = "";
      while (r.pos < entryEnd) {
        const t = r.varint();
        if (t === TAG.entryKey) key = r.string(entryEnd);
        else if (t === TAG.entryValue) value = r.string(entryEnd);
        else r.skip(t & 7, entryEnd);
      }
      m.headers[key] = value;
    } else r.skip(wire, end);
  }
  return m;
}

function readAny(r: Reader, end: number, into: Any | undefined): Any {
  const a: Any = into ?? { typeUrl: "", value: new Uint8Array(0) };
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === TAG.anyTypeUrl) a.typeUrl = r.string(end);
    else if (tag === TAG.anyValue) {
      const valueEnd = r.lengthEnd(end);
      a.value = r.bytes.subarray(r.pos, valueEnd);
      r.pos = valueEnd;
    } else r.skip(tag & 7, end);
  }
  return a;
}

export function decodePayloadBytes(bytes: Uint8Array, start = 0, end = bytes.length): Payload {
  const r = new Reader(bytes, start);
  const p: Payload = {};
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === TAG.payloadMetadata) {
      const fieldEnd = r.lengthEnd(end);
      p.metadata = readMetadata(r, fieldEnd, p.metadata);
      r.pos = fieldEnd;
    } else if (tag === TAG.payloadBody) {
      const fieldEnd = r.lengthEnd(end);
      p.body = readAny(r, fieldEnd, p.body);
      r.pos = fieldEnd;
    } else r.skip(tag & 7, end);
  }
  return p;
}

/**
 * A request Payload as the dispatcher reads it, decoded from bytes[start, end) with no view of the
 * bytes made on the usual path: the body comes out as its UTF-8 text, or as bytes when that text may
 * not be valid UTF-8 (parseBody then says so, or accepts a real U+FFFD).
 */
export function decodeRequestRange(bytes: Uint8Array, start: number, end: number): DecodedPayload {
  const r = new Reader(bytes, start);
  let metadata: Metadata | undefined;
  let bodyStart = 0;
  let bodyEnd = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === TAG.payloadMetadata) {
      const fieldEnd = r.lengthEnd(end);
      metadata = readMetadata(r, fieldEnd, metadata);
      r.pos = fieldEnd;
    } else if (tag === TAG.payloadBody) {
      // Any: only its value matters here (the type URL is unused by Nacos)
      const fieldEnd = r.lengthEnd(end);
      while (r.pos < fieldEnd) {
        const t = r.varint();
        if (t === TAG.anyValue) {
          const valueEnd = r.lengthEnd(fieldEnd);
          bodyStart = r.pos;
          bodyEnd = valueEnd;
          r.pos = valueEnd;
        } else r.skip(t & 7, fieldEnd);
      }
      r.pos = fieldEnd;
    } else r.skip(tag & 7, end);
  }
  return {
    type: metadata?.type ?? "",
    clientIp: metadata?.clientIp ?? "",
    headers: metadata?.headers ?? {},
    body: utf8Text(bytes, bodyStart, bodyEnd) ?? bytes.subarray(bodyStart, bodyEnd),
  };
}

/**
 * The gRPC frame of makePayload(type, body) given the body's JSON text: the same bytes as
 * encodeFrame(encodePayloadBytes(...)), written once into a Buffer with no intermediate UTF-8 copy.
 */
export function encodeMessageFrame(type: string, json: string): Uint8Array {
  const typeText = utf8Of(type);
  const jsonBytes = Buffer.byteLength(json, "utf8");
  const metadataSize = typeText.length > 0 ? lenField(typeText.length) : 0;
  const bodySize = jsonBytes > 0 ? lenField(jsonBytes) : 0;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + lenField(metadataSize) + lenField(bodySize));
  const w = new Writer(out);
  w.pos = FRAME_HEADER_BYTES;
  w.bytes[w.pos++] = TAG.payloadMetadata;
  w.varint(metadataSize);
  if (typeText.length > 0) w.field(TAG.metadataType, typeText);
  w.bytes[w.pos++] = TAG.payloadBody;
  w.varint(bodySize);
  if (jsonBytes > 0) {
    w.bytes[w.pos++] = TAG.anyValue;
    w.varint(jsonBytes);
    out.write(json, w.pos, jsonBytes, "utf8");
  }
  writeFrameHeader(out, out.length - FRAME_HEADER_BYTES);
  return out;
}

/** The codec both Nacos methods (/Request/request, the bi-stream) use. */
export const PAYLOAD_CODEC: MessageCodec<Payload> = {
  encode: (payload) => encodePayloadBytes(payload),
  decode: decodePayloadBytes,
  encodeFrame: (payload) => {
    const out = encodePayloadBytes(payload, FRAME_HEADER_BYTES);
    writeFrameHeader(out, out.length - FRAME_HEADER_BYTES);
    return out;
  },
};
