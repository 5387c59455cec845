import { describe, expect, test } from "bun:test";
import { parseGrpcTimeout, formatGrpcTimeout } from "../../../src/grpc/deadline.ts";
import { decodeGrpcMessage, encodeGrpcMessage, statusName } from "../../../src/grpc/status.ts";
import { frameBytes } from "../../../src/grpc/compression.ts";
import { gzipSync, deflateSync } from "node:zlib";

describe("grpc-message percent-encoding", () => {
  test("printable ASCII stays, % and non-ASCII are escaped as UTF-8 bytes", () => {
    expect(encodeGrpcMessage("plain text: ok")).toBe("plain text: ok");
    expect(encodeGrpcMessage("100%")).toBe("100%25");
    expect(encodeGrpcMessage("配置\n")).toBe("%E9%85%8D%E7%BD%AE%0A");
  });
  test("round trip; malformed escapes survive decoding", () => {
    for (const s of ["", "a%b", "naïve ✓", "tab\tnewline\n"]) expect(decodeGrpcMessage(encodeGrpcMessage(s))).toBe(s);
    expect(decodeGrpcMessage("50%zz")).toBe("50%zz");
  });
  test("status names", () => {
    expect(statusName(8)).toBe("RESOURCE_EXHAUSTED");
    expect(statusName(99)).toBe("STATUS_99");
  });
});

describe("grpc-timeout", () => {
  test("units", () => {
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
    expect(parseGrpcTimeout("1H")).toBe(3_600_000);
    expect(parseGrpcTimeout("2M")).toBe(120_000);
    expect(parseGrpcTimeout("3S")).toBe(3000);
    expect(parseGrpcTimeout("250m")).toBe(250);
    expect(parseGrpcTimeout("1500u")).toBe(1.5);
    expect(parseGrpcTimeout("99999999n")).toBeCloseTo(99.999999);
  });
  test("malformed values are INTERNAL errors", () => {
    for (const v of ["", "10", "m", "123456789m", "1.5S", "-1S", "10x"]) expect(() => parseGrpcTimeout(v)).toThrow(/malformed grpc-timeout/);
  });
  test("format fits in 8 digits", () => {
    expect(formatGrpcTimeout(250)).toBe("250m");
    expect(parseGrpcTimeout(formatGrpcTimeout(500_000_000))).toBe(500_000_000);
  });
});

describe("compressed messages", () => {
  const msg = new TextEncoder().encode("hello hello hello");
  test("gzip and deflate are inflated; identity passes through", () => {
    expect(frameBytes({ compressed: true, data: gzipSync(msg) }, "gzip", 100)).toEqual(new Uint8Array(msg));
    expect(new Uint8Array(frameBytes({ compressed: true, data: deflateSync(msg) }, "deflate", 100))).toEqual(new Uint8Array(msg));
    expect(frameBytes({ compressed: false, data: msg }, "gzip", 100)).toBe(msg);
  });
  test("compressed flag without an encoding is INTERNAL; inflating past the limit is RESOURCE_EXHAUSTED", () => {
    expect(() => frameBytes({ compressed: true, data: msg }, undefined, 100)).toThrow(/grpc-encoding is identity or missing/);
    const bomb = gzipSync(new Uint8Array(1_000_000));
    expect(bomb.length).toBeLessThan(2000);
    expect(() => frameBytes({ compressed: true, data: bomb }, "gzip", 1000)).toThrow(/larger than max after gzip/);
    expect(() => frameBytes({ compressed: true, data: msg }, "gzip", 100)).toThrow(/could not decompress gzip/);
  });
});
