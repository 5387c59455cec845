// The npm `nacos` client (HTTP 1.x protocol, UDP push) against the real server: register,
// subscribe with UDP push, beat, deregister.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { NacosNamingClient } from "nacos";
import { startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { namingApi } from "./support/naming-api.ts";

const quiet = { info() {}, debug() {}, warn() {}, error() {} };
let server: ServerProcess;
let client: InstanceType<typeof NacosNamingClient>;
let api: ReturnType<typeof namingApi>;

beforeAll(async () => {
  server = await startServer();
  api = namingApi(server);
  client = new NacosNamingClient({ logger: quiet as never, serverList: `127.0.0.1:${server.httpPort}`, namespace: "public" });
  await client.ready();
});

afterAll(async () => {
  await (client as unknown as { close(): Promise<void> } | undefined)?.close();
  await server?.kill();
});

type Hosts = { ip: string; port: number; healthy: boolean }[];

test("subscribe, register and deregister: every change arrives by UDP push, long before the client's 10 s poll", async () => {
  const pushes: Hosts[] = [];
  client.subscribe("npm-orders", (hosts: Hosts) => pushes.push(hosts));
  await client.registerInstance("npm-orders", { ip: "10.1.0.1", port: 8080, metadata: { zone: "a" } } as never);
  const started = Date.now();
  await waitFor("push with the first instance", () => (pushes.at(-1)?.length === 1 ? true : undefined), 5000);
  await client.registerInstance("npm-orders", { ip: "10.1.0.2", port: 8080 } as never);
  await waitFor("push with both instances", () => (pushes.at(-1)?.length === 2 ? true : undefined), 5000);
  await client.deregisterInstance("npm-orders", { ip: "10.1.0.1", port: 8080 } as never);
  await waitFor("push after the deregistration", () => (pushes.at(-1)?.map((h) => h.ip).join() === "10.1.0.2" ? true : undefined), 5000);
  expect(Date.now() - started).toBeLessThan(8000);
  const m = await api.metrics();
  expect(m.push.udp.acked).toBeGreaterThanOrEqual(2);
  expect(m.subscribeCount).toBeGreaterThanOrEqual(1);
  const subs = JSON.parse((await api.call("GET", "/v1/ns/service/subscribers", { serviceName: "npm-orders" })).text);
  expect(subs.count).toBe(1);
  expect(subs.subscribers[0]).toMatchObject({ type: "udp", namespaceId: "public", serviceName: "DEFAULT_GROUP@@npm-orders" });
});

test("the client's beat (its exact request) renews and reports the interval; an unknown instance is re-registered from it", async () => {
  await client.registerInstance("npm-beat", { ip: "10.2.0.1", port: 9000 } as never);
  const proxy = (client as unknown as { _serverProxy: { sendBeat(b: object): Promise<number> } })._serverProxy;
  const beat = { serviceName: "DEFAULT_GROUP@@npm-beat", ip: "10.2.0.1", port: 9000, cluster: "DEFAULT", weight: 1, metadata: {}, scheduled: false };
  const before = (await api.metrics()).beatCount;
  expect(await proxy.sendBeat(beat)).toBe(5000);
  expect((await api.metrics()).beatCount).toBe(before + 1);
  // A beat for an instance the server does not know carries its data: Nacos 2 registers it again.
  expect(await proxy.sendBeat({ ...beat, ip: "10.2.0.2" })).toBe(5000);
  const hosts = await client.getAllInstances("npm-beat", undefined, undefined, false);
  expect((hosts as Hosts).map((h) => h.ip).sort()).toEqual(["10.2.0.1", "10.2.0.2"]);
});

test("getAllInstances, selectInstances and getServiceList read what was registered", async () => {
  await client.registerInstance("npm-list", { ip: "10.3.0.1", port: 1, healthy: true } as never);
  await client.registerInstance("npm-list", { ip: "10.3.0.2", port: 1, healthy: false } as never, "G2");
  expect(((await client.getAllInstances("npm-list", undefined, undefined, false)) as Hosts).map((h) => h.ip)).toEqual(["10.3.0.1"]);
  expect(((await client.getAllInstances("npm-list", "G2", undefined, false)) as Hosts).map((h) => h.ip)).toEqual(["10.3.0.2"]);
  const proxy = (client as unknown as { _serverProxy: { getServiceList(p: number, s: number, g: string): Promise<{ count: number; data: string[] }> } })._serverProxy;
  const list = await proxy.getServiceList(1, 100, "DEFAULT_GROUP");
  expect(list.data).toContain("npm-list");
  expect(await client.getServerStatus()).toBe("UP");
});

test("the client's own background heartbeat reaches the server", async () => {
  // nacos-naming beats every 10 s after start; this waits for at least one round.
  const before = (await api.metrics()).beatCount;
  await waitFor("a background beat", async () => ((await api.metrics()).beatCount > before + 1 ? true : undefined), 15_000, 200);
}, 20_000);
