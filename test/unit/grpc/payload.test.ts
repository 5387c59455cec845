import { describe, expect, test } from "bun:test";
import { decodePayload, encodePayload, makePayload, parseBody, PayloadError, readPayload } from "../../../src/grpc/payload.ts";
import { errorBody, isSuccessResponse, successBody, successJson } from "../../../src/grpc/response.ts";

describe("Payload envelope", () => {
  test("encode → decode keeps type, clientIp, headers and the JSON body", () => {
    const p = makePayload("ConfigQueryRequest", { dataId: "d", group: "g", tenant: "", requestId: "1" }, { accessToken: "t" }, "10.1.1.1");
    const back = readPayload(decodePayload(encodePayload(p)));
    expect(back.type).toBe("ConfigQueryRequest");
    expect(back.clientIp).toBe("10.1.1.1");
    expect(back.headers).toEqual({ accessToken: "t" });
    expect(parseBody(back.body)).toEqual({ dataId: "d", group: "g", tenant: "", requestId: "1" });
  });

  test("matches the official wire layout (metadata = field 2, body Any = field 3 with value = field 2)", () => {
    const bytes = encodePayload(makePayload("T", {}));
    // 0x12 = field 2, length-delimited (Metadata); its type is field 3 (0x1a)
    expect(bytes[0]).toBe(0x12);
    expect([...bytes.subarray(2, 5)]).toEqual([0x1a, 0x01, "T".charCodeAt(0)]);
    const body = bytes.subarray(bytes.length - 4);
    expect([...body]).toEqual([0x12, 0x02, "{".charCodeAt(0), "}".charCodeAt(0)]);
  });

  test("null and undefined fields are left out (Jackson NON_NULL)", () => {
    const p = makePayload("X", { a: null, b: undefined, c: 0, d: "" });
    expect(new TextDecoder().decode(p.body!.value)).toBe('{"c":0,"d":""}');
  });

  test("an empty body is an empty object; anything but a JSON object is a PayloadError", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(parseBody(new Uint8Array(0))).toEqual({});
    expect(() => parseBody(enc("nope"))).toThrow(PayloadError);
    expect(() => parseBody(enc("null"))).toThrow("body must be a JSON object, got null");
    expect(() => parseBody(enc('"s"'))).toThrow("got string");
  });

  test("a payload without metadata or body reads as empty", () => {
    expect(readPayload({})).toEqual({ type: "", clientIp: "", headers: {}, body: new Uint8Array(0) });
  });
});

describe("response fields", () => {
  test("success and error bodies carry what Java and Go SDKs read", () => {
    expect(successBody("9", { x: 1 })).toEqual({ x: 1, resultCode: 200, errorCode: 0, requestId: "9", success: true });
    expect(errorBody("9", 302, "RequestHandler Not Found")).toEqual({ resultCode: 500, errorCode: 302, message: "RequestHandler Not Found", requestId: "9", success: false });
  });
  test("successJson appends the base fields to serialized fields: the text of successBody", () => {
    for (const fields of [{}, { x: 1 }, { content: 'a "q"\n✓', md5: "m", beta: false }]) {
      for (const id of ["", "9", 'odd "id"']) expect(successJson(id, JSON.stringify(fields))).toBe(JSON.stringify(successBody(id, fields)));
    }
  });

  test("client responses are successful when resultCode is 200", () => {
    expect(isSuccessResponse({ resultCode: 200, success: false })).toBe(true);
    expect(isSuccessResponse({ resultCode: 500, success: true })).toBe(false);
    expect(isSuccessResponse({ success: true })).toBe(true);
    expect(isSuccessResponse({})).toBe(false);
  });
});
