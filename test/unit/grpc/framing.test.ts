import { describe, expect, test } from "bun:test";
import { encodeFrame, FrameDecoder, wholeFrame } from "../../../src/grpc/framing.ts";
import { GrpcError, GrpcStatus } from "../../../src/grpc/status.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (frame: { data: Uint8Array }) => new TextDecoder().decode(frame.data);
const frameOf = (s: string) => encodeFrame(new TextEncoder().encode(s));

describe("encodeFrame", () => {
  test("writes flag 0 and the big-endian length before the message", () => {
    expect([...encodeFrame(bytes(7, 8, 9))]).toEqual([0, 0, 0, 0, 3, 7, 8, 9]);
    expect([...encodeFrame(new Uint8Array(0x01_02_03).subarray(0, 0x010203)).subarray(0, 5)]).toEqual([0, 0, 0x01, 0x02, 0x03]);
    expect(encodeFrame(bytes(1), true)[0]).toBe(1);
  });
});

describe("FrameDecoder", () => {
  test("one message in one chunk", () => {
    const d = new FrameDecoder(1024);
    const out = d.push(frameOf("hello"));
    expect(out.map(text)).toEqual(["hello"]);
    expect(out[0]!.compressed).toBe(false);
    expect(d.midMessage).toBe(false);
  });

  test("a message split across chunks at every possible byte, header included", () => {
    const whole = frameOf("split me please");
    for (let cut = 1; cut < whole.length; cut++) {
      const d = new FrameDecoder(1024);
      expect(d.push(whole.subarray(0, cut))).toEqual([]);
      expect(d.midMessage).toBe(true);
      expect(d.push(whole.subarray(cut)).map(text)).toEqual(["split me please"]);
      expect(d.midMessage).toBe(false);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  test("a message fed one byte at a time", () => {
    const d = new FrameDecoder(1024);
    const whole = frameOf("drip");
    const out = [];
    for (const b of whole) out.push(...d.push(bytes(b)));
    expect(out.map(text)).toEqual(["drip"]);
  });

  test("several messages in one chunk, including empty ones, in order", () => {
    const d = new FrameDecoder(1024);
    const chunk = new Uint8Array([...frameOf("a"), ...frameOf(""), ...frameOf("bcd"), ...frameOf("")]);
    expect(d.push(chunk).map(text)).toEqual(["a", "", "bcd", ""]);
  });

  test("messages straddling chunk boundaries keep their order", () => {
    const d = new FrameDecoder(1024);
    const all = new Uint8Array([...frameOf("first"), ...frameOf("second"), ...frameOf("third")]);
    const got: string[] = [];
    for (let i = 0; i < all.length; i += 7) got.push(...d.push(all.subarray(i, i + 7)).map(text));
    expect(got).toEqual(["first", "second", "third"]);
  });

  test("a message exactly at the limit passes; one byte over is RESOURCE_EXHAUSTED from the header alone", () => {
    expect(new FrameDecoder(4).push(encodeFrame(bytes(1, 2, 3, 4))).length).toBe(1);
    const d = new FrameDecoder(4);
    const header = encodeFrame(bytes(1, 2, 3, 4, 5)).subarray(0, 5);
    let err: unknown;
    try {
      d.push(header);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GrpcError);
    expect((err as GrpcError).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect((err as GrpcError).message).toContain("5 vs. 4");
  });

  test("an oversize announcement is refused before its body is buffered", () => {
    const d = new FrameDecoder(1000);
    const header = new Uint8Array(5);
    new DataView(header.buffer).setUint32(1, 4_000_000_000);
    expect(() => d.push(header)).toThrow(/larger than max/);
    expect(d.bufferedBytes).toBe(0);
  });

  test("the compressed flag is reported; flags other than 0/1 are INTERNAL", () => {
    expect(new FrameDecoder(10).push(encodeFrame(bytes(1), true))[0]!.compressed).toBe(true);
    const bad = encodeFrame(bytes(1));
    bad[0] = 2;
    expect(() => new FrameDecoder(10).push(bad)).toThrow(/invalid gRPC message flag 2/);
  });

  test("bufferedBytes counts the unfinished tail; reset drops it", () => {
    const d = new FrameDecoder(1024);
    d.push(frameOf("0123456789").subarray(0, 8));
    expect(d.bufferedBytes).toBe(3);
    d.reset();
    expect(d.bufferedBytes).toBe(0);
    expect(d.midMessage).toBe(false);
    expect(d.push(frameOf("x")).map(text)).toEqual(["x"]);
  });
});

describe("wholeFrame (the unary fast path)", () => {
  test("a chunk that is exactly one uncompressed frame within the limit gives its message; anything else undefined", () => {
    const msg = new TextEncoder().encode("hello");
    expect([...wholeFrame(encodeFrame(msg), 100)!]).toEqual([...msg]);
    expect(wholeFrame(encodeFrame(new Uint8Array(0)), 100)?.length).toBe(0);
    expect(wholeFrame(encodeFrame(msg, true), 100)).toBeUndefined(); // compressed
    expect(wholeFrame(encodeFrame(msg), 4)).toBeUndefined(); // over the limit
    expect(wholeFrame(encodeFrame(msg).subarray(0, 7), 100)).toBeUndefined(); // partial
    const two = new Uint8Array([...encodeFrame(msg), ...encodeFrame(msg)]);
    expect(wholeFrame(two, 100)).toBeUndefined(); // more than one
    expect(wholeFrame(new Uint8Array([0, 0, 0]), 100)).toBeUndefined(); // not even a header
  });
});
