// Nacos 2.x clients over gRPC (grpc-js with the official proto) against the real server: register,
// batch register, subscribe with NotifySubscriberRequest pushes and acks, disconnect cleanup,
// persistent instances probed by TCP, queries, fuzzy watch, bad input.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NacosGrpcClient, type NacosMessage } from "../../helpers/grpc-client.ts";
import { freePort, startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { namingApi } from "./support/naming-api.ts";

let server: ServerProcess;
let api: ReturnType<typeof namingApi>;
const clients: NacosGrpcClient[] = [];

beforeAll(async () => {
  server = await startServer({ env: { RNACOS_NAMING_PERPETUAL_INSTANCE_PROBE_INTERVAL_SECOND: "1", RNACOS_NAMING_PUSH_MERGE_MILLIS: "100" } });
  api = namingApi(server);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.kill();
});

async function client(): Promise<NacosGrpcClient> {
  const c = new NacosGrpcClient(`127.0.0.1:${server.grpcPort}`, { clientVersion: "Nacos-Java-Client:v2.3.2", labels: { source: "sdk", module: "naming", AppName: "grpc-test" } });
  clients.push(c);
  return c.connect();
}

const instance = (ip: string, port: number, extra: Record<string, unknown> = {}) => ({ ip, port, weight: 1, healthy: true, enabled: true, ephemeral: true, clusterName: "DEFAULT", metadata: {}, ...extra });
const register = (c: NacosGrpcClient, serviceName: string, inst: object, type = "registerInstance") =>
  c.request("InstanceRequest", { namespace: "public", serviceName, groupName: "DEFAULT_GROUP", type, instance: inst, module: "naming" });
const ips = async (serviceName: string) => (await api.list({ serviceName })).hosts.map((h) => `${h.ip}:${h.port}`).sort();
const pushesFor = (c: NacosGrpcClient, serviceName: string) => c.serverRequests.filter((r) => r.type === "NotifySubscriberRequest" && r.body.serviceName === serviceName);
const hostsOf = (m: NacosMessage) => ((m.body.serviceInfo as { hosts: { ip: string; port: number }[] }).hosts ?? []).map((h) => `${h.ip}:${h.port}`).sort();

describe("instances", () => {
  test("InstanceRequest registers and deregisters; a second register from the same connection replaces the first", async () => {
    const c = await client();
    const r = await register(c, "g-one", instance("10.10.0.1", 80));
    expect(r.type).toBe("InstanceResponse");
    expect(r.body).toMatchObject({ resultCode: 200, errorCode: 0, type: "registerInstance", success: true });
    expect(await ips("g-one")).toEqual(["10.10.0.1:80"]);
    await register(c, "g-one", instance("10.10.0.1", 81));
    expect(await ips("g-one")).toEqual(["10.10.0.1:81"]);
    expect((await register(c, "g-one", instance("10.10.0.1", 81), "deregisterInstance")).body).toMatchObject({ resultCode: 200, type: "deregisterInstance" });
    expect(await ips("g-one")).toEqual([]);
  });

  test("BatchInstanceRequest makes the connection's instances exactly the batch", async () => {
    const c = await client();
    const batch = (list: object[]) => c.request("BatchInstanceRequest", { namespace: "public", serviceName: "g-batch", groupName: "DEFAULT_GROUP", type: "batchRegisterInstance", instances: list, module: "naming" });
    const r = await batch([instance("10.11.0.1", 1), instance("10.11.0.2", 1), instance("10.11.0.3", 1)]);
    expect(r).toMatchObject({ type: "BatchInstanceResponse", body: { resultCode: 200, type: "batchRegisterInstance" } });
    expect(await ips("g-batch")).toEqual(["10.11.0.1:1", "10.11.0.2:1", "10.11.0.3:1"]);
    await batch([instance("10.11.0.3", 1)]);
    expect(await ips("g-batch")).toEqual(["10.11.0.3:1"]);
  });

  test("bad input is answered with errorCode 400 and a message, never a crash", async () => {
    const c = await client();
    const bad = await register(c, "g-bad", instance("10.12.0.1", 70000));
    expect(bad).toMatchObject({ type: "InstanceResponse", body: { resultCode: 500, errorCode: 400, success: false } });
    expect(String(bad.body.message)).toContain("1-65535");
    expect((await c.request("InstanceRequest", { namespace: "public", serviceName: "", groupName: "G", type: "registerInstance", instance: instance("10.12.0.1", 1) })).body.message).toBe("Param 'serviceName' is required.");
    expect((await register(c, "g-bad", instance("10.12.0.1", 1), "teleport")).body.message).toBe("Unsupported request type teleport");
    expect((await c.request("BatchInstanceRequest", { serviceName: "g-bad", groupName: "G", type: "batchRegisterInstance", instances: [instance("10.12.0.1", 1, { ephemeral: false })] })).body.errorCode).toBe(400);
  });

  test("ServiceQueryRequest and ServiceListRequest", async () => {
    const c = await client();
    await register(c, "g-query", instance("10.13.0.1", 1, { clusterName: "A" }));
    const q = await c.request("ServiceQueryRequest", { namespace: "public", serviceName: "g-query", groupName: "DEFAULT_GROUP", cluster: "A", healthyOnly: false });
    expect(q.type).toBe("QueryServiceResponse");
    expect(q.body.serviceInfo).toMatchObject({ name: "g-query", groupName: "DEFAULT_GROUP", clusters: "A", hosts: [{ ip: "10.13.0.1", serviceName: "DEFAULT_GROUP@@g-query" }] });
    const l = await c.request("ServiceListRequest", { namespace: "public", groupName: "DEFAULT_GROUP", pageNo: 1, pageSize: 100 });
    expect(l.type).toBe("ServiceListResponse");
    expect(l.body.serviceNames as string[]).toContain("g-query");
    expect(l.body.count).toBeGreaterThanOrEqual(1);
  });
});

describe("subscriptions and pushes", () => {
  test("a subscriber gets the current list, then a NotifySubscriberRequest per change, and acks it", async () => {
    const watcher = await client();
    const s = await watcher.request("SubscribeServiceRequest", { namespace: "public", serviceName: "g-push", groupName: "DEFAULT_GROUP", subscribe: true, clusters: "" });
    expect(s).toMatchObject({ type: "SubscribeServiceResponse", body: { resultCode: 200, serviceInfo: { name: "g-push", hosts: [] } } });
    const provider = await client();
    await register(provider, "g-push", instance("10.14.0.1", 8080, { metadata: { version: "1" } }));
    const push = await watcher.waitForServerRequest((r) => r.type === "NotifySubscriberRequest" && hostsOf(r).length === 1, 5000);
    expect(push.body).toMatchObject({ namespace: "public", serviceName: "g-push", groupName: "DEFAULT_GROUP", module: "naming" });
    expect(push.body.serviceInfo).toMatchObject({ name: "g-push", groupName: "DEFAULT_GROUP", hosts: [{ ip: "10.14.0.1", metadata: { version: "1" } }] });
    await waitFor("the ack counted", async () => ((await api.metrics()).push.delivered >= 1 ? true : undefined), 5000);
    const subs = JSON.parse((await api.call("GET", "/v1/ns/service/subscribers", { serviceName: "g-push" })).text);
    expect(subs.subscribers[0]).toMatchObject({ type: "grpc", agent: "Nacos-Java-Client:v2.3.2", app: "grpc-test" });
  });

  test("a closed connection's instances and subscriptions go, and subscribers hear it", async () => {
    const watcher = await client();
    await watcher.request("SubscribeServiceRequest", { namespace: "public", serviceName: "g-gone", groupName: "DEFAULT_GROUP", subscribe: true, clusters: "" });
    const a = await client();
    const b = await client();
    await register(a, "g-gone", instance("10.15.0.1", 1));
    await register(b, "g-gone", instance("10.15.0.2", 1));
    await b.request("SubscribeServiceRequest", { namespace: "public", serviceName: "g-gone", groupName: "DEFAULT_GROUP", subscribe: true, clusters: "" });
    await watcher.waitForServerRequest((r) => r.type === "NotifySubscriberRequest" && hostsOf(r).length === 2, 5000);
    const subsBefore = (await api.metrics()).subscribeCount;
    b.close();
    const after = await watcher.waitForServerRequest((r) => r.type === "NotifySubscriberRequest" && hostsOf(r).join() === "10.15.0.1:1", 5000);
    expect(hostsOf(after)).toEqual(["10.15.0.1:1"]);
    expect(await ips("g-gone")).toEqual(["10.15.0.1:1"]);
    await waitFor("b's subscription gone", async () => ((await api.metrics()).subscribeCount === subsBefore - 1 ? true : undefined), 5000);
  });

  test("unsubscribing stops the pushes", async () => {
    const watcher = await client();
    const sub = (subscribe: boolean) => watcher.request("SubscribeServiceRequest", { namespace: "public", serviceName: "g-unsub", groupName: "DEFAULT_GROUP", subscribe, clusters: "" });
    await sub(true);
    const p = await client();
    await register(p, "g-unsub", instance("10.16.0.1", 1));
    await watcher.waitForServerRequest((r) => r.type === "NotifySubscriberRequest" && r.body.serviceName === "g-unsub", 5000);
    await sub(false);
    await register(p, "g-unsub", instance("10.16.0.1", 2));
    await waitFor("the change is visible", async () => ((await ips("g-unsub")).join() === "10.16.0.1:2" ? true : undefined), 5000);
    const pushesBefore = (await api.metrics()).push.delivered;
    await waitFor("the merge window has passed", async () => ((await api.metrics()).push.pendingServices === 0 ? true : undefined), 5000);
    expect((await api.metrics()).push.delivered).toBe(pushesBefore);
    expect(pushesFor(watcher, "g-unsub")).toHaveLength(1);
  });
});

describe("persistent instances over gRPC", () => {
  test("PersistentInstanceRequest goes through Raft, outlives its connection, and follows a TCP probe down and up", async () => {
    const port = await freePort();
    let listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    try {
      const c = await client();
      const req = (type: string) => c.request("PersistentInstanceRequest", { namespace: "public", serviceName: "g-db", groupName: "DEFAULT_GROUP", type, instance: instance("127.0.0.1", port, { ephemeral: false }) });
      expect((await req("registerInstance")).body).toMatchObject({ resultCode: 200, type: "registerInstance" });
      await register(c, "g-db-sidecar", instance("127.0.0.1", 1));
      c.close();
      const health = async () => (await api.list({ serviceName: "g-db" })).hosts[0]?.healthy;
      // the connection's ephemeral instance going shows the server has handled the close
      await waitFor("the connection is gone", async () => ((await ips("g-db-sidecar")).length === 0 ? true : undefined), 5000);
      expect(await health()).toBe(true);
      listener.stop(true);
      await waitFor("unhealthy once the port is closed", async () => ((await health()) === false ? true : undefined), 10_000, 100);
      listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      await waitFor("healthy once it is open again", async () => ((await health()) === true ? true : undefined), 10_000, 100);
      const again = await client();
      expect((await again.request("PersistentInstanceRequest", { namespace: "public", serviceName: "g-db", groupName: "DEFAULT_GROUP", type: "deregisterInstance", instance: instance("127.0.0.1", port) })).body.resultCode).toBe(200);
      expect(await ips("g-db")).toEqual([]);
    } finally {
      listener.stop(true);
    }
  }, 25_000);
});

describe("fuzzy watch (Nacos 3)", () => {
  test("a watch syncs the matching services, then reports services appearing and disappearing", async () => {
    const provider = await client();
    await register(provider, "fz-orders", instance("10.17.0.1", 1));
    await register(provider, "fz-payments", instance("10.17.0.1", 2));
    const watcher = await client();
    const r = await watcher.request("NamingFuzzyWatchRequest", { namespace: "public", groupKeyPattern: "public>>DEFAULT_GROUP>>fz-*", receivedGroupKeys: [], watchType: "WATCH", initializing: true, module: "naming" });
    expect(r).toMatchObject({ type: "NamingFuzzyWatchResponse", body: { resultCode: 200 } });
    const sync = await watcher.waitForServerRequest((m) => m.type === "NamingFuzzyWatchSyncRequest" && m.body.syncType === "FUZZY_WATCH_INIT_NOTIFY");
    expect((sync.body.contexts as { serviceKey: string }[]).map((c) => c.serviceKey).sort()).toEqual(["public@@DEFAULT_GROUP@@fz-orders", "public@@DEFAULT_GROUP@@fz-payments"]);
    await watcher.waitForServerRequest((m) => m.type === "NamingFuzzyWatchSyncRequest" && m.body.syncType === "FINISH_FUZZY_WATCH_INIT_NOTIFY");
    const other = await client();
    await register(other, "fz-new", instance("10.17.0.2", 1));
    const added = await watcher.waitForServerRequest((m) => m.type === "NamingFuzzyWatchChangeNotifyRequest" && m.body.changedType === "ADD_SERVICE");
    expect(added.body).toMatchObject({ serviceKey: "public@@DEFAULT_GROUP@@fz-new", syncType: "FUZZY_WATCH_RESOURCE_CHANGED" });
    other.close();
    const deleted = await watcher.waitForServerRequest((m) => m.type === "NamingFuzzyWatchChangeNotifyRequest" && m.body.changedType === "DELETE_SERVICE");
    expect(deleted.body.serviceKey).toBe("public@@DEFAULT_GROUP@@fz-new");
    const bad = await watcher.request("NamingFuzzyWatchRequest", { groupKeyPattern: "nonsense", watchType: "WATCH" });
    expect(bad.body).toMatchObject({ errorCode: 400 });
  });
});
