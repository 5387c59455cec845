// The npm `nacos` client (HTTP 1.x) and raw v1 requests against the real server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NacosConfigClient } from "nacos";
import { startServer, tempDir, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { del, get, md5, post, publishV1, readV1 } from "./support.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ env: { RNACOS_CONFIG_MAX_CONTENT: "2048" } });
});
afterAll(async () => {
  // SIGTERM: the drain answers the npm client's held long-poll, so it does not fail later (inside another test file).
  await server?.stop();
});

function npmClient(namespace?: string) {
  return new NacosConfigClient({ serverAddr: `127.0.0.1:${server.httpPort}`, namespace, cacheDir: tempDir("nacos-npm-cache-"), requestTimeout: 5000 } as never);
}

describe("npm nacos client", () => {
  test("publish, get, subscribe (long-poll) and remove", async () => {
    const client = npmClient();
    try {
      await client.ready();
      expect(await client.publishSingle("npm.yaml", "DEFAULT_GROUP", "port: 1")).toBe(true);
      expect(await client.getConfig("npm.yaml", "DEFAULT_GROUP")).toBe("port: 1");
      const seen: string[] = [];
      client.subscribe({ dataId: "npm.yaml", group: "DEFAULT_GROUP" }, (content: string) => seen.push(content));
      await waitFor("the first subscription callback", () => (seen.includes("port: 1") ? true : undefined));
      // After its first read the client only learns of changes through its long-poll.
      expect(await client.publishSingle("npm.yaml", "DEFAULT_GROUP", "port: 2")).toBe(true);
      await waitFor("the change callback", () => (seen.includes("port: 2") ? true : undefined), 5000);
      expect(await client.remove("npm.yaml", "DEFAULT_GROUP")).toBe(true);
      expect(await client.getConfig("npm.yaml", "DEFAULT_GROUP")).toBeNull();
    } finally {
      client.close();
    }
  });

  test("a client in a namespace reads and writes that namespace only", async () => {
    // (Two npm clients in one process share one worker through cluster-client, so the public side is read raw.)
    const dev = npmClient("dev");
    try {
      await dev.publishSingle("ns.txt", "DEFAULT_GROUP", "dev value");
      expect(await dev.getConfig("ns.txt", "DEFAULT_GROUP")).toBe("dev value");
      expect((await readV1(server, "ns.txt")).status).toBe(404);
      expect(await (await readV1(server, "ns.txt", { tenant: "dev" })).text()).toBe("dev value");
    } finally {
      dev.close();
    }
  });
});

describe("v1 configs", () => {
  test("GET answers the raw content with Nacos's headers", async () => {
    await publishV1(server, "headers.json", '{"a":1}', { type: "json" });
    const res = await readV1(server, "headers.json");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"a":1}');
    expect(res.headers.get("Content-MD5")).toBe(md5('{"a":1}'));
    expect(res.headers.get("Config-Type")).toBe("json");
    expect(res.headers.get("Content-Type")).toBe("application/json;charset=UTF-8");
    expect(Date.parse(res.headers.get("Last-Modified")!)).toBeGreaterThan(Date.now() - 60_000);
    expect(res.headers.get("Cache-Control")).toBe("no-cache,no-store");
  });

  test("a missing config is 404 config data not exist", async () => {
    const res = await readV1(server, "missing.txt");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("config data not exist\n");
  });

  test("UTF-8 content round-trips and its md5 is of the UTF-8 bytes", async () => {
    await publishV1(server, "utf8.txt", "名字=值 ✓");
    const res = await readV1(server, "utf8.txt");
    expect(await res.text()).toBe("名字=值 ✓");
    expect(res.headers.get("Content-MD5")).toBe(md5("名字=值 ✓"));
  });

  test("delete answers true and the config is gone", async () => {
    await publishV1(server, "gone.txt", "x");
    const res = await del(server, "/nacos/v1/cs/configs", { dataId: "gone.txt", group: "DEFAULT_GROUP" });
    expect(await res.text()).toBe("true");
    expect((await readV1(server, "gone.txt")).status).toBe(404);
  });

  test("CAS: publish over the current md5 wins, over an old one is refused", async () => {
    await publishV1(server, "cas.txt", "v1");
    await publishV1(server, "cas.txt", "v2", {}, { casMd5: md5("v1") });
    const refused = await post(server, "/nacos/v1/cs/configs", { dataId: "cas.txt", group: "DEFAULT_GROUP", content: "v3" }, { casMd5: md5("v1") });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toBe("caused: Cas publish fail, server md5 may have changed.;");
    expect(await (await readV1(server, "cas.txt")).text()).toBe("v2");
  });

  test("search accurate and blur, paged, and detail with show=all", async () => {
    for (const d of ["search-a.yaml", "search-b.yaml", "other.properties"]) await publishV1(server, d, d, { group: "SEARCH", appName: "shop", config_tags: "t1" });
    const accurate = (await (await get(server, "/nacos/v1/cs/configs", { search: "accurate", dataId: "search-a.yaml", group: "SEARCH", pageNo: "1", pageSize: "10" })).json()) as {
      totalCount: number;
      pageItems: { dataId: string }[];
    };
    expect(accurate.pageItems.map((i) => i.dataId)).toEqual(["search-a.yaml"]);
    const blur = (await (await get(server, "/nacos/v1/cs/configs", { search: "blur", dataId: "search-*", group: "SEARCH", pageNo: "1", pageSize: "1" })).json()) as {
      totalCount: number;
      pagesAvailable: number;
      pageItems: { dataId: string }[];
    };
    expect(blur.totalCount).toBe(2);
    expect(blur.pagesAvailable).toBe(2);
    expect(blur.pageItems.map((i) => i.dataId)).toEqual(["search-a.yaml"]);
    const byTag = (await (await get(server, "/nacos/v1/cs/configs", { search: "blur", dataId: "", group: "", config_tags: "t1", pageNo: "1", pageSize: "10" })).json()) as {
      totalCount: number;
    };
    expect(byTag.totalCount).toBe(3);
    const detail = (await (await get(server, "/nacos/v1/cs/configs", { show: "all", dataId: "other.properties", group: "SEARCH" })).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ dataId: "other.properties", group: "SEARCH", content: "other.properties", appName: "shop", configTags: "t1", type: "text" });
  });

  test("console batch delete by ids", async () => {
    await publishV1(server, "batch-1", "1", { group: "BATCH" });
    await publishV1(server, "batch-2", "2", { group: "BATCH" });
    const ids = [];
    for (const d of ["batch-1", "batch-2"]) ids.push(((await (await get(server, "/nacos/v1/cs/configs", { show: "all", dataId: d, group: "BATCH" })).json()) as { id: string }).id);
    const res = await fetch(`${server.url}/nacos/v1/cs/configs?delType=ids&ids=${ids.join(",")}`, { method: "DELETE" });
    expect(await res.json()).toEqual({ code: 200, message: null, data: true });
    expect((await readV1(server, "batch-1", { group: "BATCH" })).status).toBe(404);
  });
});

describe("bad input gets a 4xx with a Nacos-style body and writes nothing", () => {
  test("missing parameters: Spring's JSON 400", async () => {
    const res = await post(server, "/nacos/v1/cs/configs", { dataId: "x", group: "DEFAULT_GROUP" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, error: "Bad Request", message: "Required request parameter 'content' for method parameter type String is not present" });
  });

  test("invalid names, blank or oversized content, long tags: 400 caused: ...", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ dataId: "has space", group: "DEFAULT_GROUP", content: "x" }, "caused: invalid dataId : has space;"],
      [{ dataId: "ok", group: "bad/group", content: "x" }, "caused: invalid group : bad/group;"],
      [{ dataId: "ok", group: "DEFAULT_GROUP", content: "   " }, "caused: content is blank :    ;"],
      [{ dataId: "ok", group: "DEFAULT_GROUP", content: "x".repeat(2049) }, "caused: invalid content, over 2048 bytes;"],
      [{ dataId: "ok", group: "DEFAULT_GROUP", content: "x", tenant: "bad tenant" }, "caused: invalid tenant;"],
      [{ dataId: "ok", group: "DEFAULT_GROUP", content: "x", desc: "d".repeat(129) }, "caused: too long desc, over 128;"],
      [{ dataId: "d".repeat(256), group: "DEFAULT_GROUP", content: "x" }, "caused: too long dataId, over 255;"],
    ];
    for (const [values, message] of cases) {
      const res = await post(server, "/nacos/v1/cs/configs", values);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(message);
    }
    expect((await readV1(server, "ok")).status).toBe(404);
  });

  test("a malformed long-poll body is refused", async () => {
    const res = await post(server, "/nacos/v1/cs/configs/listener", { "Listening-Configs": "" });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("caused: invalid probeModify;");
  });
});

describe("v1 namespaces", () => {
  test("create, list with counts, rename, refuse deleting a non-empty one, delete", async () => {
    const path = "/nacos/v1/console/namespaces";
    expect(await (await post(server, path, { customNamespaceId: "team-a", namespaceName: "Team A", namespaceDesc: "desc" })).json()).toBe(true);
    expect(await (await post(server, path, { customNamespaceId: "team-a", namespaceName: "Again" })).json()).toBe(false);
    expect(await (await post(server, path, { customNamespaceId: "bad id!", namespaceName: "x" })).json()).toBe(false);
    await publishV1(server, "in-team", "x", { tenant: "team-a" });
    const list = (await (await get(server, path)).json()) as { code: number; data: { namespace: string; namespaceShowName: string; configCount: number }[] };
    expect(list.code).toBe(200);
    expect(list.data.find((n) => n.namespace === "team-a")).toMatchObject({ namespaceShowName: "Team A", configCount: 1 });
    expect(list.data[0]).toMatchObject({ namespace: "", namespaceShowName: "public" });
    const rename = await fetch(`${server.url}${path}`, { method: "PUT", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "namespace=team-a&namespaceShowName=Team%20Alpha" });
    expect(await rename.json()).toBe(true);
    expect(await (await get(server, path, { show: "all", namespaceId: "team-a" })).json()).toMatchObject({ namespace: "team-a", namespaceShowName: "Team Alpha" });
    expect(await (await get(server, path, { checkNamespaceIdExist: "true", customNamespaceId: "team-a" })).json()).toBe(true);
    const refused = await del(server, path, { namespaceId: "team-a" });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toBe("caused: namespace team-a still holds 1 config; remove them first;");
    await del(server, "/nacos/v1/cs/configs", { dataId: "in-team", group: "DEFAULT_GROUP", tenant: "team-a" });
    expect(await (await del(server, path, { namespaceId: "team-a" })).json()).toBe(true);
    expect(await (await get(server, path, { checkNamespaceIdExist: "true", customNamespaceId: "team-a" })).json()).toBe(false);
  });
});
