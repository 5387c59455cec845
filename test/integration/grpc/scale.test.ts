// 1,000 clients connected at once, each with its own HTTP/2 connection, bi-stream and setup; then all of
// them answer a push and go away. Prints the measured times.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

const CLIENTS = 1000;
let server: GrpcTestServer;
beforeAll(async () => {
  server = await startGrpcTestServer({ maxConnections: CLIENTS + 10 });
});
afterAll(() => server?.kill());

test(
  `${CLIENTS} concurrent connections: handshake, request, push + ack, disconnect`,
  async () => {
    const t0 = performance.now();
    const clients: NacosGrpcClient[] = [];
    try {
      // all at once: 1,000 HTTP/2 connections opening in the same tick
      clients.push(...Array.from({ length: CLIENTS }, () => new NacosGrpcClient(server.address)));
      await Promise.all(clients.map((c) => c.connect(20_000)));
      const connected = performance.now();
      expect(new Set(clients.map((c) => c.connectionId)).size).toBe(CLIENTS);

      const listing = await clients[0]!.request("ConnectionsRequest");
      expect(listing.body.count).toBe(CLIENTS);

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
      const closed = performance.now();
      console.log(
        `scale: ${CLIENTS} connections set up in ${Math.round(connected - t0)} ms, ` +
          `${CLIENTS} push round trips in ${Math.round(pushed - connected)} ms, all disconnected in ${Math.round(closed - pushed)} ms`,
      );
    } finally {
      for (const c of clients) c.close();
    }
  },
  60_000,
);
