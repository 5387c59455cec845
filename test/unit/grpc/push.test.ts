import { describe, expect, test } from "bun:test";
import type { Payload } from "../../../src/grpc/generated/nacos_grpc_service.ts";
import { BufferFullError } from "../../../src/grpc/method.ts";
import { PushChannel, PushError, type PushChannelOptions } from "../../../src/grpc/push.ts";

interface Sent {
  type: string;
  body: Record<string, unknown>;
}

function channel(overrides: Partial<PushChannelOptions> = {}, send?: (p: Payload) => Promise<void>) {
  const sent: Sent[] = [];
  const ch = new PushChannel({
    connectionId: "c1",
    timeoutMs: 1000,
    retries: 0,
    maxQueued: 100,
    maxQueuedBytes: 1 << 20,
    send:
      send ??
      ((p) => {
        sent.push({ type: p.metadata!.type, body: JSON.parse(new TextDecoder().decode(p.body!.value)) });
        return Promise.resolve();
      }),
    ...overrides,
  });
  const ack = (i: number, extra: Record<string, unknown> = {}) => ch.acknowledge({ requestId: sent[i]!.body.requestId, resultCode: 200, errorCode: 0, success: true, ...extra });
  return { ch, sent, ack };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const reasonOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "resolved";
  } catch (err) {
    return err instanceof PushError ? err.reason : `other: ${(err as Error).message}`;
  }
};

describe("PushChannel ordering", () => {
  test("one push in flight at a time; the next is written only after the previous ack", async () => {
    const { ch, sent, ack } = channel();
    const done: number[] = [];
    const ps = [0, 1, 2].map((i) => ch.push("NotifyRequest", { seq: i }).then(() => done.push(i)));
    await tick();
    expect(sent.map((s) => s.body.seq)).toEqual([0]);
    expect(ch.queued).toBe(3);
    expect(ack(0)).toBe(true);
    await tick();
    expect(sent.map((s) => s.body.seq)).toEqual([0, 1]);
    ack(1);
    await tick();
    ack(2);
    await Promise.all(ps);
    expect(done).toEqual([0, 1, 2]);
    expect(ch.queued).toBe(0);
    expect(ch.queuedBytes).toBe(0);
  });

  test("server requests carry type, a fresh requestId, empty headers and the body", async () => {
    const { ch, sent, ack } = channel();
    const p = ch.push("NotifySubscriberRequest", { serviceInfo: { name: "s" }, module: "naming" });
    await tick();
    expect(sent[0]!.type).toBe("NotifySubscriberRequest");
    expect(sent[0]!.body).toMatchObject({ headers: {}, serviceInfo: { name: "s" }, module: "naming" });
    expect(typeof sent[0]!.body.requestId).toBe("string");
    ack(0, { extra: "x" });
    expect(await p).toMatchObject({ extra: "x", resultCode: 200 });
    const q = ch.push("NotifySubscriberRequest", {});
    await tick();
    expect(sent[1]!.body.requestId).not.toBe(sent[0]!.body.requestId);
    ack(1);
    await q;
  });

  test("request() is not queued behind a push waiting for its ack", async () => {
    const { ch, sent, ack } = channel();
    const push = ch.push("SlowPush", {});
    const probe = ch.request("ClientDetectionRequest", {});
    await tick();
    expect(sent.map((s) => s.type)).toEqual(["SlowPush", "ClientDetectionRequest"]);
    ack(1);
    await probe;
    ack(0);
    await push;
  });
});

describe("PushChannel bounds and failures", () => {
  test("a full queue rejects at once with queue_full (count bound)", async () => {
    const { ch } = channel({ maxQueued: 2 });
    const a = ch.push("P", {});
    const b = ch.push("P", {});
    expect(await reasonOf(ch.push("P", {}))).toBe("queue_full");
    ch.close("test over");
    expect(await reasonOf(a)).toBe("closed");
    expect(await reasonOf(b)).toBe("closed");
  });

  test("the byte bound rejects a push that does not fit behind others, but never the only one", async () => {
    const { ch } = channel({ maxQueuedBytes: 300 });
    const big = "x".repeat(400);
    const first = ch.push("P", { big }); // alone: allowed even though over the bound
    expect(await reasonOf(ch.push("P", { big }))).toBe("queue_full");
    ch.close("done");
    expect(await reasonOf(first)).toBe("closed");
  });

  test("no ack: the same request is written again per retry, then rejected with timeout", async () => {
    const { ch, sent } = channel({ timeoutMs: 20, retries: 2 });
    const started = performance.now();
    const err = await ch.push("P", {}).catch((e) => e);
    expect(err).toBeInstanceOf(PushError);
    expect(err.reason).toBe("timeout");
    expect(err.message).toContain("after 3 attempt(s) of 20 ms");
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(sent.length).toBe(3);
    expect(new Set(sent.map((s) => s.body.requestId)).size).toBe(1);
  });

  test("a retry is not written while the previous copy still waits for flow control", async () => {
    const sent: Payload[] = [];
    const { ch } = channel({ timeoutMs: 10, retries: 3 }, (p) => {
      sent.push(p);
      return new Promise(() => {}); // never drains
    });
    expect(await reasonOf(ch.push("P", {}))).toBe("timeout");
    expect(sent.length).toBe(1);
  });

  test("a late ack is ignored; the next push still goes out", async () => {
    const { ch, sent, ack } = channel({ timeoutMs: 10 });
    expect(await reasonOf(ch.push("P", { n: 1 }))).toBe("timeout");
    expect(ack(0)).toBe(false);
    const next = ch.push("P", { n: 2 });
    await tick();
    ack(1);
    await next;
  });

  test("a failure response from the client rejects with reason rejected and its errorCode", async () => {
    const { ch, ack } = channel();
    const p = ch.push("P", {});
    await tick();
    ack(0, { resultCode: 500, errorCode: -500, success: false, message: "Handle server request error" });
    const err = await p.catch((e) => e);
    expect(err.reason).toBe("rejected");
    expect(err.errorCode).toBe(-500);
    expect(err.message).toContain("Handle server request error");
  });

  test("an ack with resultCode 200 counts even when success is false (Go SDK sends that)", async () => {
    const { ch, ack } = channel();
    const p = ch.push("ClientDetectionRequest", {});
    await tick();
    ack(0, { success: false });
    await p;
  });

  test("a full send buffer rejects with buffer_full", async () => {
    const { ch } = channel({}, () => Promise.reject(new BufferFullError("full")));
    expect(await reasonOf(ch.push("P", {}))).toBe("buffer_full");
  });

  test("close() fails what waits and refuses what comes later", async () => {
    const { ch } = channel();
    const a = ch.push("P", {});
    const b = ch.request("Q", {});
    ch.close("connection closed");
    expect(await reasonOf(a)).toBe("closed");
    expect(await reasonOf(b)).toBe("closed");
    expect(await reasonOf(ch.push("P", {}))).toBe("closed");
    expect(ch.awaitingAck).toBe(0);
  });
});
