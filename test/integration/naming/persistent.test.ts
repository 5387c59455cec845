// Persistent instances (ephemeral=false) are written through Raft, probed by the server (TCP, or
// HTTP when the cluster says so), change health but are never removed, and survive a restart.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { namingApi } from "./support/naming-api.ts";

let server: ServerProcess;
let api: ReturnType<typeof namingApi>;
const ENV = { RNACOS_NAMING_PERPETUAL_INSTANCE_PROBE_INTERVAL_SECOND: "1" };

beforeAll(async () => {
  server = await startServer({ env: ENV });
  api = namingApi(server);
});
afterAll(() => server?.kill());

function tcpListener(port: number) {
  return Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
}

const healthOf = async (serviceName: string, ip = "127.0.0.1") => (await api.list({ serviceName })).hosts.find((h) => h.ip === ip)?.healthy;

test("a TCP probe turns the instance unhealthy when its port closes and healthy when it opens again", async () => {
  const port = await freePort();
  let listener = tcpListener(port);
  await api.register({ serviceName: "db", ip: "127.0.0.1", port, ephemeral: false });
  try {
    expect((await api.list({ serviceName: "db" })).hosts[0]).toMatchObject({ ephemeral: false, healthy: true });
    listener.stop(true);
    await waitFor("unhealthy after the port closed", async () => ((await healthOf("db")) === false ? true : undefined), 10_000, 100);
    expect(server.output()).toContain("persistent instance fails its health check");
    listener = tcpListener(port);
    await waitFor("healthy after the port opened", async () => ((await healthOf("db")) === true ? true : undefined), 10_000, 100);
    expect((await api.list({ serviceName: "db" })).hosts).toHaveLength(1);
  } finally {
    listener.stop(true);
  }
}, 25_000);

test("an HTTP check, set on the cluster, decides by the status code", async () => {
  let status = 200;
  const web = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response("", { status: new URL(req.url).pathname === "/health" ? status : 404 }) });
  try {
    await api.register({ serviceName: "web", ip: "127.0.0.1", port: web.port!, ephemeral: false });
    const r = await api.call("PUT", "/v1/ns/cluster", { serviceName: "web", clusterName: "DEFAULT", healthChecker: JSON.stringify({ type: "HTTP", path: "/health" }) });
    expect(r.text).toBe("ok");
    const detail = JSON.parse((await api.call("GET", "/v1/ns/service", { serviceName: "web" })).text);
    expect(detail.clusters[0].healthChecker).toMatchObject({ type: "HTTP", path: "/health" });
    status = 503;
    await waitFor("unhealthy on 503", async () => ((await healthOf("web")) === false ? true : undefined), 10_000, 100);
    status = 200;
    await waitFor("healthy on 200", async () => ((await healthOf("web")) === true ? true : undefined), 10_000, 100);
  } finally {
    web.stop(true);
  }
}, 25_000);

test("persistent instances and service definitions survive a restart; deregistering removes them", async () => {
  await api.register({ serviceName: "kept", groupName: "G", ip: "10.9.0.1", port: 80, ephemeral: false, metadata: '{"v":"1"}' });
  await api.call("POST", "/v1/ns/service", { serviceName: "defined-only", protectThreshold: 0.3 });
  await server.stop("SIGTERM");
  server = await startServer({ env: ENV, dataDir: server.dataDir });
  api = namingApi(server);
  const kept = await api.list({ serviceName: "kept", groupName: "G" });
  expect(kept.hosts).toEqual([expect.objectContaining({ ip: "10.9.0.1", ephemeral: false, metadata: { v: "1" } })]);
  expect(JSON.parse((await api.call("GET", "/v1/ns/service", { serviceName: "defined-only" })).text).protectThreshold).toBe(0.3);
  expect((await api.call("DELETE", "/v1/ns/instance", { serviceName: "kept", groupName: "G", ip: "10.9.0.1", port: 80, ephemeral: false })).text).toBe("ok");
  expect((await api.list({ serviceName: "kept", groupName: "G" })).hosts).toHaveLength(0);
}, 30_000);
