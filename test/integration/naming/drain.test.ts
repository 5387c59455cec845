// Graceful shutdown: on SIGTERM gRPC clients get ConnectResetRequest (so they move to another
// node), and the instances of their closing connections are not reported dead to anybody while the
// node drains: neither to gRPC subscribers nor to 1.x UDP subscribers.
import { expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { startServer, waitFor } from "../../helpers/server.ts";
import { namingApi } from "./support/naming-api.ts";

test("SIGTERM: clients are reset, nobody is told their instances died", async () => {
  // No merge delay: a removal would be pushed at once, so its absence means something.
  const server = await startServer({ env: { RNACOS_NAMING_PUSH_MERGE_MILLIS: "0" } });
  const api = namingApi(server);
  const clients: NacosGrpcClient[] = [];
  const udpHosts: string[][] = [];
  const udp = await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(sock, data, port, address) {
        const gz = data[0] === 0x1f && data[1] === 0x8b;
        const packet = JSON.parse((gz ? gunzipSync(data) : data).toString()) as { data: string; lastRefTime: number };
        udpHosts.push((JSON.parse(packet.data) as { hosts: { ip: string }[] }).hosts.map((h) => h.ip));
        sock.send(JSON.stringify({ type: "push-ack", lastRefTime: packet.lastRefTime }), port, address);
      },
    },
  });
  try {
    const connect = async () => {
      const c = new NacosGrpcClient(`127.0.0.1:${server.grpcPort}`, { clientVersion: "Nacos-Java-Client:v2.3.2" });
      clients.push(c);
      return c.connect();
    };
    const provider = await connect();
    const watcher = await connect();
    await api.list({ serviceName: "drain-svc", udpPort: udp.port, clientIP: "127.0.0.1" });
    await watcher.request("SubscribeServiceRequest", { namespace: "public", serviceName: "drain-svc", groupName: "DEFAULT_GROUP", subscribe: true, clusters: "" });
    await provider.request("InstanceRequest", {
      namespace: "public",
      serviceName: "drain-svc",
      groupName: "DEFAULT_GROUP",
      type: "registerInstance",
      instance: { ip: "10.20.0.1", port: 8080, weight: 1, healthy: true, enabled: true, ephemeral: true, clusterName: "DEFAULT", metadata: {} },
    });
    await waitFor("both subscribers saw the instance", () => (udpHosts.at(-1)?.includes("10.20.0.1") && watcher.serverRequests.some((r) => r.type === "NotifySubscriberRequest") ? true : undefined), 5000);
    const udpBefore = udpHosts.length;
    const grpcBefore = watcher.serverRequests.filter((r) => r.type === "NotifySubscriberRequest").length;

    expect(await server.stop("SIGTERM")).toBe(0);

    for (const c of [provider, watcher]) expect(c.serverRequests.some((r) => r.type === "ConnectResetRequest")).toBe(true);
    expect(udpHosts.slice(udpBefore).filter((hosts) => !hosts.includes("10.20.0.1"))).toEqual([]);
    const laterPushes = watcher.serverRequests.filter((r) => r.type === "NotifySubscriberRequest").slice(grpcBefore);
    expect(laterPushes.filter((r) => !JSON.stringify(r.body).includes("10.20.0.1"))).toEqual([]);
  } finally {
    udp.close();
    for (const c of clients) c.close();
    await server.kill();
  }
}, 20_000);
