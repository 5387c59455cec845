// Server push over the bi-stream: request → client ack with the same requestId, ordering, timeouts with
// retries, bounded queues, and clients that stop reading.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { NacosGrpcClient, successAck, type Json } from "../../helpers/grpc-client.ts";
import { connect, grpcHeaders, call, nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

interface PushResult {
  ok: boolean;
  seq: number;
  reason?: string;
  message?: string;
  ack?: Json;
}

let server: GrpcTestServer;
beforeAll(async () => {
  server = await startGrpcTestServer({ pushTimeoutMs: 150, pushRetries: 2, pushQueueMax: 10 });
});
afterAll(async () => {
  await server?.kill();
});

async function pushMe(client: NacosGrpcClient, body: Json) {
  const r = await client.request("PushMeRequest", body, { deadlineMs: 20_000 });
  expect(r.body.success).toBe(true);
  return { results: r.body.results as PushResult[], elapsedMs: r.body.elapsedMs as number };
}

describe("push", () => {
  test("push + ack round trip: every push resolves with the client's response, delivered in order", async () => {
    const client = await new NacosGrpcClient(server.address).connect();
    try {
      const { results } = await pushMe(client, { count: 10, data: { hello: "world" } });
      expect(results.every((r) => r.ok)).toBe(true);
      const pushes = client.serverRequests.filter((r) => r.type === "TestPushRequest");
      expect(pushes.map((p) => p.body.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(pushes[0]!.body).toMatchObject({ data: { hello: "world" }, headers: {} });
      expect(new Set(pushes.map((p) => p.body.requestId)).size).toBe(10);
      // each ack is the client's own response, matched by requestId
      expect(results.map((r) => r.ack!.requestId)).toEqual(pushes.map((p) => p.body.requestId));
    } finally {
      client.close();
    }
  });

  test("a client that never acks: the push is resent (same requestId) per retry, then rejected with timeout", async () => {
    const client = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      const { results, elapsedMs } = await pushMe(client, { count: 1 });
      expect(results[0]).toMatchObject({ ok: false, reason: "timeout" });
      expect(results[0]!.message).toContain("after 3 attempt(s) of 150 ms");
      expect(elapsedMs).toBeGreaterThanOrEqual(440);
      expect(elapsedMs).toBeLessThan(2000);
      const copies = client.serverRequests.filter((r) => r.type === "TestPushRequest");
      expect(copies.length).toBe(3);
      expect(new Set(copies.map((c) => c.body.requestId)).size).toBe(1);
    } finally {
      client.close();
    }
  });

  test("a slow client cannot grow the queue: pushes beyond the bound are rejected at once (queue_full)", async () => {
    const client = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      const { results } = await pushMe(client, { count: 14, retries: 0, timeoutMs: 50 });
      const reasons = results.map((r) => r.reason);
      expect(reasons.filter((r) => r === "queue_full").length).toBe(4);
      expect(reasons.filter((r) => r === "timeout").length).toBe(10);
    } finally {
      client.close();
    }
  });

  test("a failure answer from the client rejects the push with reason rejected", async () => {
    const client = await new NacosGrpcClient(server.address, {
      onServerRequest: (req) => ({ requestId: req.body.requestId, resultCode: 500, errorCode: -500, success: false, message: "Handle server request error" }),
    }).connect();
    try {
      const { results } = await pushMe(client, { count: 1 });
      expect(results[0]).toMatchObject({ ok: false, reason: "rejected" });
      expect(results[0]!.message).toContain("Handle server request error");
    } finally {
      client.close();
    }
  });

  test("push to an unknown connection → not_connected; to a connection that goes away mid-push → closed", async () => {
    const pusher = await new NacosGrpcClient(server.address).connect();
    const victim = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      const none = await pushMe(pusher, { target: "0_1.2.3.4_5", count: 1 });
      expect(none.results[0]).toMatchObject({ ok: false, reason: "not_connected" });
      const pending = pushMe(pusher, { target: victim.connectionId, count: 2, timeoutMs: 5000, retries: 0 });
      await victim.waitForServerRequest((r) => r.type === "TestPushRequest");
      victim.close();
      const { results, elapsedMs } = await pending;
      expect(results.map((r) => r.reason)).toEqual(["closed", "closed"]);
      expect(elapsedMs).toBeLessThan(4000);
    } finally {
      pusher.close();
      victim.close();
    }
  });

  test("a client that stops reading its bi-stream: pushes to it time out, other connections are unaffected", async () => {
    const stalled = await connect(server.port);
    const healthy = await new NacosGrpcClient(server.address).connect();
    try {
      const check = await call(stalled, grpcHeaders("/Request/request"), [nacosFrame("ServerCheckRequest", {})]);
      const stalledId = String(payloadsOf(check.data)[0]!.body.connectionId);
      const bi = stalled.request(grpcHeaders("/BiRequestStream/requestBiStream"));
      bi.write(nacosFrame("ConnectionSetupRequest", { clientVersion: "stalled" }));
      bi.pause(); // never read: HTTP/2 flow control stops the server after one window
      await server.waitForEvent((e) => e.event === "connected" && e.id === stalledId);

      const big = "x".repeat(40_000); // two pushes exceed the 64 KiB initial window
      const stuck = pushMe(healthy, { target: stalledId, count: 4, data: big, timeoutMs: 100, retries: 1 });
      const fine = await pushMe(healthy, { count: 5, data: big });
      expect(fine.results.every((r) => r.ok)).toBe(true);
      const { results } = await stuck;
      expect(results.every((r) => !r.ok && (r.reason === "timeout" || r.reason === "buffer_full"))).toBe(true);
      expect((await healthy.request("HealthCheckRequest")).body.success).toBe(true);
    } finally {
      stalled.destroy();
      healthy.close();
    }
  });

  test("acks written by the client out of order still resolve the right pushes", async () => {
    const held: Json[] = [];
    let client!: NacosGrpcClient;
    client = await new NacosGrpcClient(server.address, {
      onServerRequest: (req) => {
        if (req.type !== "TestPushRequest") return successAck(req.body.requestId);
        held.push(req.body);
        // answer a stale, unknown requestId first, then the real one
        client.send("TestPushResponse", successAck("no-such-request"));
        return successAck(req.body.requestId);
      },
    }).connect();
    try {
      const { results } = await pushMe(client, { count: 3 });
      expect(results.every((r) => r.ok)).toBe(true);
      expect(held.length).toBe(3);
    } finally {
      client.close();
    }
  });
});
