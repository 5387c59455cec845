// The config requests of the Nacos 2.x gRPC protocol against the real server, with @grpc/grpc-js and the
// official proto: query, publish (CAS, additionMap, beta), remove, batch listen with pushes and acks,
// listeners dropped with their connection, and Nacos 3 fuzzy watch.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { NacosGrpcClient, type NacosMessage } from "../../helpers/grpc-client.ts";
import { get, md5, publishV1 } from "./support.ts";

let server: ServerProcess;
const clients: NacosGrpcClient[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.kill();
});

async function connect(opts: ConstructorParameters<typeof NacosGrpcClient>[1] = {}): Promise<NacosGrpcClient> {
  const c = new NacosGrpcClient(`127.0.0.1:${server.grpcPort}`, opts);
  clients.push(c);
  return c.connect();
}

const notifications = (c: NacosGrpcClient, dataId: string) => c.serverRequests.filter((r) => r.type === "ConfigChangeNotifyRequest" && r.body.dataId === dataId);

describe("query, publish, remove", () => {
  test("ConfigQueryRequest: not found is errorCode 300; found answers content, md5 and type", async () => {
    const c = await connect();
    const missing = await c.request("ConfigQueryRequest", { dataId: "g-missing", group: "DEFAULT_GROUP", tenant: "" });
    expect(missing.type).toBe("ConfigQueryResponse");
    expect(missing.body).toMatchObject({ resultCode: 500, errorCode: 300, message: "config data not exist", success: false });
    await publishV1(server, "g-found.yaml", "a: 1", { type: "yaml" });
    const found = await c.request("ConfigQueryRequest", { dataId: "g-found.yaml", group: "DEFAULT_GROUP", tenant: "public" });
    expect(found.body).toMatchObject({ resultCode: 200, errorCode: 0, content: "a: 1", md5: md5("a: 1"), contentType: "yaml", beta: false });
    expect(typeof found.body.lastModified).toBe("number");
  });

  test("ConfigPublishRequest with CAS: over the current md5 succeeds, over a stale one fails", async () => {
    const c = await connect();
    const first = await c.request("ConfigPublishRequest", {
      dataId: "g-cas",
      group: "DEFAULT_GROUP",
      tenant: "",
      content: "v1",
      additionMap: { type: "properties", desc: "from grpc", appName: "grpc-app", config_tags: "x,y" },
    });
    expect(first.type).toBe("ConfigPublishResponse");
    expect(first.body.resultCode).toBe(200);
    const second = await c.request("ConfigPublishRequest", { dataId: "g-cas", group: "DEFAULT_GROUP", tenant: "", content: "v2", casMd5: md5("v1") });
    expect(second.body.resultCode).toBe(200);
    const conflict = await c.request("ConfigPublishRequest", { dataId: "g-cas", group: "DEFAULT_GROUP", tenant: "", content: "v3", casMd5: md5("v1") });
    expect(conflict.type).toBe("ConfigPublishResponse");
    expect(conflict.body).toMatchObject({ resultCode: 500, errorCode: 500, message: "Cas publish fail, server md5 may have changed.", success: false });
    const detail = (await (await get(server, "/nacos/v1/cs/configs", { show: "all", dataId: "g-cas", group: "DEFAULT_GROUP" })).json()) as Record<string, unknown>;
    // A publish replaces the attributes: the second one sent none (type text), the app name is the connection's.
    expect(detail).toMatchObject({ content: "v2", type: "text", appName: "grpc-test", createIp: "127.0.0.1" });
    const history = (await (await get(server, "/nacos/v1/cs/history", { search: "accurate", dataId: "g-cas", group: "DEFAULT_GROUP" })).json()) as { totalCount: number };
    expect(history.totalCount).toBe(2);
  });

  test("additionMap attributes are stored; betaIps publishes a beta for those IPs", async () => {
    const c = await connect();
    await c.request("ConfigPublishRequest", { dataId: "g-attrs", group: "G", tenant: "", content: "x=1", additionMap: { type: "properties", desc: "d", appName: "app", config_tags: "t" } });
    const detail = (await (await get(server, "/nacos/v1/cs/configs", { show: "all", dataId: "g-attrs", group: "G" })).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ type: "properties", desc: "d", appName: "app", configTags: "t" });
    await c.request("ConfigPublishRequest", { dataId: "g-attrs", group: "G", tenant: "", content: "x=beta", additionMap: { betaIps: "10.3.3.3" } });
    const betaReader = await connect({ clientIp: "10.3.3.3" });
    const beta = await betaReader.request("ConfigQueryRequest", { dataId: "g-attrs", group: "G", tenant: "" });
    expect(beta.body).toMatchObject({ content: "x=beta", beta: true });
    const formal = await c.request("ConfigQueryRequest", { dataId: "g-attrs", group: "G", tenant: "" });
    expect(formal.body).toMatchObject({ content: "x=1", beta: false });
  });

  test("ConfigRemoveRequest removes; bad input answers errorCode 400", async () => {
    const c = await connect();
    await publishV1(server, "g-remove", "x");
    const removed = await c.request("ConfigRemoveRequest", { dataId: "g-remove", group: "DEFAULT_GROUP", tenant: "" });
    expect(removed.type).toBe("ConfigRemoveResponse");
    expect(removed.body.resultCode).toBe(200);
    expect((await c.request("ConfigQueryRequest", { dataId: "g-remove", group: "DEFAULT_GROUP", tenant: "" })).body.errorCode).toBe(300);
    const bad = await c.request("ConfigPublishRequest", { dataId: "bad id", group: "DEFAULT_GROUP", content: "x" });
    expect(bad.type).toBe("ConfigPublishResponse");
    expect(bad.body).toMatchObject({ errorCode: 400, message: "invalid dataId : bad id" });
  });
});

describe("batch listen and change pushes", () => {
  test("listen reports stale keys; a change is pushed and acked; unlisten stops pushes", async () => {
    await publishV1(server, "g-listen", "v1");
    const c = await connect();
    const stale = await c.request("ConfigBatchListenRequest", {
      listen: true,
      configListenContexts: [
        { dataId: "g-listen", group: "DEFAULT_GROUP", tenant: "", md5: "old" },
        { dataId: "g-never", group: "DEFAULT_GROUP", tenant: "", md5: "" },
      ],
    });
    expect(stale.type).toBe("ConfigChangeBatchListenResponse");
    expect(stale.body.changedConfigs).toEqual([{ dataId: "g-listen", group: "DEFAULT_GROUP", tenant: "" }]);
    const current = await c.request("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "g-listen", group: "DEFAULT_GROUP", tenant: "", md5: md5("v1") }] });
    expect(current.body.changedConfigs).toEqual([]);

    await publishV1(server, "g-listen", "v2");
    const push = await c.waitForServerRequest((r) => r.type === "ConfigChangeNotifyRequest" && r.body.dataId === "g-listen");
    expect(push.body).toMatchObject({ dataId: "g-listen", group: "DEFAULT_GROUP", module: "config" });
    expect(push.body.tenant).toBeUndefined(); // listened with no tenant, answered with none

    await c.request("ConfigBatchListenRequest", { listen: false, configListenContexts: [{ dataId: "g-listen", group: "DEFAULT_GROUP", tenant: "" }] });
    await publishV1(server, "g-listen", "v3");
    await publishV1(server, "g-never", "now exists"); // still listened: proves pushes flow after the unlisten
    await c.waitForServerRequest((r) => r.type === "ConfigChangeNotifyRequest" && r.body.dataId === "g-never");
    expect(notifications(c, "g-listen")).toHaveLength(1);
  });

  test("a listener that named its tenant gets it back", async () => {
    const c = await connect();
    await c.request("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "g-tenant", group: "G", tenant: "public", md5: "" }] });
    await publishV1(server, "g-tenant", "x", { group: "G" });
    const push = await c.waitForServerRequest((r) => r.type === "ConfigChangeNotifyRequest" && r.body.dataId === "g-tenant");
    expect(push.body.tenant).toBe("public");
  });

  test("30 connections listening to one key are all pushed one change", async () => {
    await publishV1(server, "g-fanout", "v1");
    const many = await Promise.all(Array.from({ length: 30 }, () => connect()));
    await Promise.all(many.map((c) => c.request("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "g-fanout", group: "DEFAULT_GROUP", tenant: "", md5: md5("v1") }] })));
    await publishV1(server, "g-fanout", "v2");
    await Promise.all(many.map((c) => c.waitForServerRequest((r: NacosMessage) => r.type === "ConfigChangeNotifyRequest" && r.body.dataId === "g-fanout")));
    for (const c of many) c.close();
  });

  test("a burst of changes: a client that re-reads on every push ends on the newest content", async () => {
    await publishV1(server, "g-burst", "v0");
    // Like the Java SDK: each ConfigChangeNotifyRequest makes the client query again.
    const reads: string[] = [];
    let reader: NacosGrpcClient | undefined;
    const c = await connect({
      onServerRequest: (r) => {
        if (r.type === "ConfigChangeNotifyRequest") {
          void reader!.request("ConfigQueryRequest", { dataId: "g-burst", group: "DEFAULT_GROUP", tenant: "" }).then((q) => reads.push(String(q.body.content)));
        }
        return { requestId: r.body.requestId, resultCode: 200, errorCode: 0, success: true };
      },
    });
    reader = c;
    await c.request("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "g-burst", group: "DEFAULT_GROUP", tenant: "", md5: md5("v0") }] });
    await Promise.all(Array.from({ length: 20 }, (_, i) => publishV1(server, "g-burst", `v${i + 1}`)));
    const last = (await (await get(server, "/nacos/v1/cs/configs", { dataId: "g-burst", group: "DEFAULT_GROUP" })).text());
    // If a push could come before the last change, the client's last read could stay stale forever.
    await waitFor("the client's reads to reach the newest content", () => (reads.at(-1) === last ? true : undefined));
    expect(notifications(c, "g-burst").length).toBeLessThanOrEqual(20);
  });

  test("listeners are dropped when their connection closes", async () => {
    const c = await connect({ clientIp: "10.44.44.44" });
    await c.request("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "g-drop", group: "DEFAULT_GROUP", tenant: "", md5: "m" }] });
    const status = async () =>
      ((await (await get(server, "/nacos/v1/cs/configs/listener", { dataId: "g-drop", group: "DEFAULT_GROUP" })).json()) as { lisentersGroupkeyStatus: Record<string, string> }).lisentersGroupkeyStatus;
    expect(await status()).toEqual({ "10.44.44.44": "m" });
    c.close();
    await waitFor("the listener to go with its connection", async () => (Object.keys(await status()).length === 0 ? true : undefined));
  });
});

describe("fuzzy watch (Nacos 3)", () => {
  test("watch syncs matching keys, then pushes adds and deletes", async () => {
    await publishV1(server, "fz-1", "1", { group: "FZ" });
    await publishV1(server, "fz-2", "2", { group: "FZ" });
    const c = await connect();
    const watch = await c.request("ConfigFuzzyWatchRequest", { groupKeyPattern: "public>>FZ>>fz-*", receivedGroupKeys: ["fz-1+FZ+public"], watchType: "WATCH", initializing: true });
    expect(watch.type).toBe("ConfigFuzzyWatchResponse");
    expect(watch.body.resultCode).toBe(200);
    const sync = await c.waitForServerRequest((r) => r.type === "ConfigFuzzyWatchSyncRequest" && r.body.syncType === "FUZZY_WATCH_INIT_NOTIFY");
    expect(sync.body.contexts).toEqual([{ groupKey: "fz-2+FZ+public", changedType: "ADD_CONFIG" }]);
    await c.waitForServerRequest((r) => r.type === "ConfigFuzzyWatchSyncRequest" && r.body.syncType === "FINISH_FUZZY_WATCH_INIT_NOTIFY");

    await publishV1(server, "fz-3", "3", { group: "FZ" });
    const added = await c.waitForServerRequest((r) => r.type === "ConfigFuzzyWatchChangeNotifyRequest" && r.body.groupKey === "fz-3+FZ+public");
    expect(added.body.changeType).toBe("ADD_CONFIG");
    await fetch(`${server.url}/nacos/v1/cs/configs?dataId=fz-1&group=FZ`, { method: "DELETE" });
    const deleted = await c.waitForServerRequest((r) => r.type === "ConfigFuzzyWatchChangeNotifyRequest" && r.body.changeType === "DELETE_CONFIG");
    expect(deleted.body.groupKey).toBe("fz-1+FZ+public");

    await c.request("ConfigFuzzyWatchRequest", { groupKeyPattern: "public>>FZ>>fz-*", watchType: "CANCEL_WATCH" });
    await publishV1(server, "fz-4", "4", { group: "FZ" });
    await Bun.sleep(200);
    expect(c.serverRequests.some((r) => r.body.groupKey === "fz-4+FZ+public")).toBe(false);
  });

  test("a malformed pattern is refused with errorCode 400", async () => {
    const c = await connect();
    const res = await c.request("ConfigFuzzyWatchRequest", { groupKeyPattern: "nonsense", watchType: "WATCH" });
    expect(res.body).toMatchObject({ success: false, errorCode: 400 });
  });
});
