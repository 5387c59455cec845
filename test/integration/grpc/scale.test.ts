// 1,000 clients at once, each with its own HTTP/2 connection, bi-stream and setup: against the real
// rnacos process (handshake, request, disconnect), and against the bridge-only test server (one push
// round trip each). Prints the measured times.
import { expect, test, setDefaultTimeout } from "bun:test";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { startRealServer } from "./support/real-server.ts";
import { startGrpcTestServer } from "./support/test-server-process.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

const CLIENTS = 1000;

async function connectAll(address: string): Promise<NacosGrpcClient[]> {
  const clients = Array.from({ length: CLIENTS }, () => new NacosGrpcClient(address));
  await Promise.all(clients.map((c) => c.connect(20_000)));
  expect(new Set(clients.map((c) => c.connectionId)).size).toBe(CLIENTS);
  return clients;
}

test(
  `${CLIENTS} concurrent connections to rnacos: handshake, health check, disconnect`,
  async () => {
    const server = await startRealServer({ RNACOS_LOG: "info" });
    let clients: NacosGrpcClient[] = [];
    try {
      const t0 = performance.now();
      clients = await connectAll(server.address);
      const connected = performance.now();
      const checks = await Promise.all(clients.map((c) => c.request("HealthCheckRequest")));
      expect(checks.every((r) => r.body.success === true)).toBe(true);
      const checked = performance.now();
      expect(server.logLines(/connection registered/).length).toBe(CLIENTS);
      for (const c of clients) c.close();
      const deadline = Date.now() + 20_000;
      while (server.logLines(/connection unregistered/).length < CLIENTS) {
        if (Date.now() > deadline) throw new Error(`only ${server.logLines(/connection unregistered/).length} disconnects seen`);
        await Bun.sleep(20);
      }
      const closed = performance.now();
      console.log(
        `scale (rnacos): ${CLIENTS} connections set up in ${Math.round(connected - t0)} ms, ` +
          `${CLIENTS} health checks in ${Math.round(checked - connected)} ms, all unregistered in ${Math.round(closed - checked)} ms`,
      );
    } finally {
      for (const c of clients) c.close();
      await server.dispose();
    }
  },
  60_000,
);

test(
  `${CLIENTS} concurrent connections to the bridge: one push + ack each`,
  async () => {
    const server = await startGrpcTestServer({ maxConnections: CLIENTS + 10 });
    let clients: NacosGrpcClient[] = [];
    try {
      const c0 = performance.now();
      clients = await connectAll(server.address);
      const connected = performance.now();
      expect((await clients[0]!.request("ConnectionsRequest")).body.count).toBe(CLIENTS);
      const t0 = performance.now();
      const replies = await Promise.all(clients.map((c) => c.request("PushMeRequest", { count: 1 }, { deadlineMs: 20_000 })));
      const pushed = performance.now();
      expect(replies.every((r) => (r.body.results as { ok: boolean }[])[0]!.ok)).toBe(true);
      for (const c of clients) c.close();
      const ids = new Set(clients.map((c) => c.connectionId));
      const deadline = Date.now() + 20_000;
      while (server.events.filter((e) => e.event === "disconnected" && ids.has(e.id)).length < CLIENTS) {
        if (Date.now() > deadline) throw new Error("not every disconnect was seen");
        await Bun.sleep(20);
      }
      console.log(`scale (bridge): ${CLIENTS} connections set up in ${Math.round(connected - c0)} ms, ${CLIENTS} push round trips in ${Math.round(pushed - t0)} ms, all disconnected in ${Math.round(performance.now() - pushed)} ms`);
    } finally {
      for (const c of clients) c.close();
      await server.kill();
    }
  },
  60_000,
);
