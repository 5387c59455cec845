// Changes to one service inside the merge window reach each 1.x subscriber as one UDP push; the
// subscriber here is a raw UDP socket that acks the way nacos-naming does.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { namingApi, type ServiceInfo } from "./support/naming-api.ts";

let server: ServerProcess;
let api: ReturnType<typeof namingApi>;
beforeAll(async () => {
  server = await startServer({ env: { RNACOS_NAMING_PUSH_MERGE_MILLIS: "800" } });
  api = namingApi(server);
});
afterAll(() => server?.kill());

async function udpSubscriber() {
  const pushes: { info: ServiceInfo; gzipped: boolean }[] = [];
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(sock, data, port, address) {
        const gzipped = data[0] === 0x1f && data[1] === 0x8b;
        const packet = JSON.parse((gzipped ? gunzipSync(data) : data).toString()) as { type: string; data: string; lastRefTime: number };
        pushes.push({ info: JSON.parse(packet.data) as ServiceInfo, gzipped });
        sock.send(JSON.stringify({ type: "push-ack", lastRefTime: packet.lastRefTime, data: "" }), port, address);
      },
    },
  });
  return { socket, pushes };
}

test("ten registrations inside the window become one push per subscriber, holding all ten", async () => {
  const subs = [await udpSubscriber(), await udpSubscriber()];
  try {
    for (const s of subs) await api.list({ serviceName: "merged", udpPort: s.socket.port, clientIP: "127.0.0.1" });
    const before = (await api.metrics()).push.mergedChanges;
    await Promise.all(Array.from({ length: 10 }, (_, i) => api.register({ serviceName: "merged", ip: `10.5.0.${i + 1}`, port: 8080, metadata: '{"zone":"eu-west-1a"}' })));
    for (const s of subs) await waitFor("a push with all ten", () => (s.pushes.at(-1)?.info.hosts.length === 10 ? true : undefined), 5000);
    await waitFor("every push acked", async () => ((await api.metrics()).push.inFlight === 0 ? true : undefined), 5000);
    for (const s of subs) {
      expect(s.pushes).toHaveLength(1);
      expect(s.pushes[0]!.gzipped).toBe(true); // ten hosts are well over 1 KB
      expect(s.pushes[0]!.info.name).toBe("DEFAULT_GROUP@@merged");
    }
    const m = await api.metrics();
    expect(m.push.mergedChanges - before).toBeGreaterThanOrEqual(9);
    expect(m.push.udp.acked).toBeGreaterThanOrEqual(2);
  } finally {
    for (const s of subs) s.socket.close();
  }
});

test("a subscriber filtering by cluster gets only its cluster", async () => {
  const s = await udpSubscriber();
  try {
    await api.list({ serviceName: "clustered", udpPort: s.socket.port, clientIP: "127.0.0.1", clusters: "A" });
    await api.register({ serviceName: "clustered", ip: "10.6.0.1", port: 1, clusterName: "A" });
    await api.register({ serviceName: "clustered", ip: "10.6.0.2", port: 1, clusterName: "B" });
    await waitFor("a push", () => (s.pushes.length > 0 ? true : undefined), 5000);
    expect(s.pushes.at(-1)!.info.hosts.map((h) => h.ip)).toEqual(["10.6.0.1"]);
    expect(s.pushes.at(-1)!.info.clusters).toBe("A");
  } finally {
    s.socket.close();
  }
});
