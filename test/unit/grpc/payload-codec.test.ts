// The hand-written Payload codec against the generated protobuf-ts one: same bytes out, same values in,
// including what other encoders may send (unknown fields, repeated fields, long varints, empty messages).
import { describe, expect, test } from "bun:test";
import { Payload } from "../../../src/grpc/generated/nacos_grpc_service.ts";
import { decodePayloadBytes, decodeRequestRange, encodeMessageFrame, encodePayloadBytes, PAYLOAD_CODEC } from "../../../src/grpc/payload-codec.ts";
import { makePayload, parseBody } from "../../../src/grpc/payload.ts";
import { encodeFrame } from "../../../src/grpc/framing.ts";

const utf8 = new TextEncoder();

const samples: Payload[] = [
  {},
  { metadata: { type: "", clientIp: "", headers: {} } },
  { body: { typeUrl: "", value: new Uint8Array(0) } },
  { metadata: { type: "HealthCheckRequest", clientIp: "10.0.0.1", headers: {} }, body: { typeUrl: "", value: utf8.encode('{"requestId":"1"}') } },
  {
    metadata: { type: "ConfigQueryRequest", clientIp: "", headers: { accessToken: "t", app: "", "": "empty key", ünï: "çødé ✓" } },
    body: { typeUrl: "type.googleapis.com/x", value: utf8.encode(JSON.stringify({ content: "x".repeat(70_000) })) },
  },
  { metadata: { type: "T".repeat(200), clientIp: "", headers: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`h${i}`, "v".repeat(i * 10)])) } },
];

describe("Payload codec", () => {
  test("encodes to the same bytes as the generated codec", () => {
    for (const p of samples) expect([...encodePayloadBytes(p)]).toEqual([...Payload.toBinary(p)]);
  });

  test("decodes what the generated codec writes to the same values", () => {
    for (const p of samples) {
      const bytes = Payload.toBinary(p);
      expect(decodePayloadBytes(bytes)).toEqual(Payload.fromBinary(bytes));
    }
  });

  test("unknown fields of every wire type are skipped; a repeated field's last value wins", () => {
    const known = Payload.toBinary({ metadata: { type: "First", clientIp: "", headers: { a: "1" } } });
    const extra = Uint8Array.from([
      0x08, 0x96, 0x01, // field 1 varint 150
      0x21, 1, 2, 3, 4, 5, 6, 7, 8, // field 4 fixed64
      0x2d, 1, 2, 3, 4, // field 5 fixed32
      0x32, 0x02, 0xff, 0xfe, // field 6 bytes
    ]);
    const again = Payload.toBinary({ metadata: { type: "Second", clientIp: "ip", headers: { b: "2" } } });
    const bytes = Uint8Array.from([...known, ...extra, ...again]);
    // protobuf-ts would keep the unknown fields for re-encoding; nothing here re-encodes a request
    expect(decodePayloadBytes(bytes)).toEqual(Payload.fromBinary(bytes, { readUnknownField: false }));
    expect(decodePayloadBytes(bytes).metadata).toEqual({ type: "Second", clientIp: "ip", headers: { a: "1", b: "2" } });
  });

  test("a varint written in more bytes than needed still reads", () => {
    // metadata (field 2) of length 3 written as a 3-byte varint, holding type "T"
    const bytes = Uint8Array.from([0x12, 0x83, 0x80, 0x00, 0x1a, 0x01, 0x54]);
    expect(decodePayloadBytes(bytes)).toEqual(Payload.fromBinary(bytes));
  });

  test("truncated input, a length past the end and invalid UTF-8 in a string are errors", () => {
    const good = Payload.toBinary(samples[3]!);
    expect(() => decodePayloadBytes(good.subarray(0, good.length - 3))).toThrow();
    expect(() => decodePayloadBytes(Uint8Array.from([0x12, 0x7f, 0x1a]))).toThrow();
    expect(() => decodePayloadBytes(Uint8Array.from([0x12, 0x03, 0x1a, 0x01, 0xff]))).toThrow();
  });
});

test("PAYLOAD_CODEC.encodeFrame is the gRPC frame of encode()", () => {
  for (const p of samples) expect([...PAYLOAD_CODEC.encodeFrame!(p)]).toEqual([...encodeFrame(PAYLOAD_CODEC.encode(p))]);
});

describe("the unary path's codec (decoded in place, answered into a Buffer)", () => {
  test("decodeRequestRange reads a frame's message from inside the chunk as decodePayloadBytes does", () => {
    for (const p of samples) {
      const frame = encodeFrame(Payload.toBinary(p));
      const d = decodeRequestRange(frame, 5, frame.length);
      const ref = decodePayloadBytes(frame.subarray(5));
      expect(d.type).toBe(ref.metadata?.type ?? "");
      expect(d.clientIp).toBe(ref.metadata?.clientIp ?? "");
      expect(d.headers).toEqual(ref.metadata?.headers ?? {});
      expect(d.body).toBe(new TextDecoder().decode(ref.body?.value ?? new Uint8Array(0)));
    }
  });

  test("a body that may not be UTF-8 stays bytes, for parseBody to judge; non-ASCII strings decode", () => {
    const bad = Payload.toBinary({ metadata: { type: "T", clientIp: "", headers: { ü: "✓" } }, body: { typeUrl: "", value: Uint8Array.from([0x7b, 0xff, 0x7d]) } });
    const d = decodeRequestRange(bad, 0, bad.length);
    expect(d.body).toEqual(Uint8Array.from([0x7b, 0xff, 0x7d]));
    expect(d.headers).toEqual({ ü: "✓" });
    const replacement = Payload.toBinary({ body: { typeUrl: "", value: utf8.encode('{"a":"\uFFFD"}') } });
    expect(parseBody(decodeRequestRange(replacement, 0, replacement.length).body)).toEqual({ a: "\uFFFD" });
    expect(() => decodeRequestRange(Uint8Array.from([0x12, 0x03, 0x1a, 0x01, 0xff]), 0, 5)).toThrow();
  });

  test("encodeMessageFrame writes the bytes of encodeFrame(makePayload(type, body)), as a Buffer", () => {
    for (const [type, body] of [["ServerCheckResponse", { connectionId: "c", resultCode: 200 }], ["X", {}], ["", { s: "çødé ✓ ".repeat(40) }], ["T".repeat(300), { n: 1 }]] as const) {
      const json = JSON.stringify(body);
      const out = encodeMessageFrame(type, json);
      expect(Buffer.isBuffer(out)).toBe(true);
      expect([...out]).toEqual([...PAYLOAD_CODEC.encodeFrame!(makePayload(type, body))]);
    }
  });
});
