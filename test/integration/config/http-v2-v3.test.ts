// Raw HTTP against the v2 OpenAPI, the Nacos 3 client API, history (v1 and v2) and the v2 namespace API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, type ServerProcess } from "../../helpers/server.ts";
import { del, get, md5, post, publishV1 } from "./support.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ env: { RNACOS_CONFIG_MAX_CONTENT: "1024" } });
});
afterAll(async () => {
  await server?.kill();
});

const V2 = "/nacos/v2/cs/config";

describe("v2 config API", () => {
  test("publish, read and delete in Result bodies", async () => {
    const pub = await post(server, V2, { dataId: "v2.yaml", group: "G", namespaceId: "public", content: "k: v", type: "yaml" });
    expect(await pub.json()).toEqual({ code: 0, message: "success", data: true });
    const read = await get(server, V2, { dataId: "v2.yaml", group: "G", namespaceId: "" });
    expect(read.headers.get("Content-MD5")).toBe(md5("k: v"));
    expect(read.headers.get("Config-Type")).toBe("yaml");
    expect(await read.json()).toEqual({ code: 0, message: "success", data: "k: v" });
    expect(await (await fetch(`${server.url}${V2}?dataId=v2.yaml&group=G`, { method: "DELETE" })).json()).toEqual({ code: 0, message: "success", data: true });
    const gone = await get(server, V2, { dataId: "v2.yaml", group: "G" });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ code: 20004, message: "resource not found", data: "config data not exist" });
  });

  test("bad input: Nacos codes 10000 (missing) and 20002 (invalid), HTTP 400", async () => {
    const noContent = await post(server, V2, { dataId: "x", group: "G", content: " " });
    expect(noContent.status).toBe(400);
    expect(await noContent.json()).toEqual({ code: 10000, message: "parameter missing", data: "Required parameter 'content' type String is not present" });
    const badId = await post(server, V2, { dataId: "x y", group: "G", content: "c" });
    expect(await badId.json()).toEqual({ code: 20002, message: "parameter validate error", data: "invalid dataId : x y" });
    const tooBig = await post(server, V2, { dataId: "big", group: "G", content: "x".repeat(1025) });
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toEqual({ code: 20002, message: "parameter validate error", data: "invalid content, over 1024 bytes" });
    const missingGroup = await get(server, V2, { dataId: "x" });
    expect(await missingGroup.json()).toEqual({ code: 10000, message: "parameter missing", data: "Required parameter 'group' type String is not present" });
    expect((await get(server, V2, { dataId: "big", group: "G" })).status).toBe(404);
  });

  test("CAS conflict: code 20005 resource conflict", async () => {
    await post(server, V2, { dataId: "cas2", group: "G", content: "one" });
    const res = await post(server, V2, { dataId: "cas2", group: "G", content: "two" }, { casMd5: md5("stale") });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ code: 20005, message: "resource conflict", data: "Cas publish fail, server md5 may have changed." });
    const ok = await post(server, V2, { dataId: "cas2", group: "G", content: "two" }, { casMd5: md5("one") });
    expect(await ok.json()).toMatchObject({ code: 0 });
  });

  test("searchDetail finds configs by content", async () => {
    await post(server, V2, { dataId: "needle-1", group: "SD", content: "has the needle" });
    await post(server, V2, { dataId: "needle-2", group: "SD", content: "nothing" });
    const page = (await (await get(server, `${V2}/searchDetail`, { dataId: "", group: "SD", config_detail: "needle", pageNo: "1", pageSize: "10" })).json()) as {
      pageItems: { dataId: string }[];
    };
    expect(page.pageItems.map((i) => i.dataId)).toEqual(["needle-1"]);
  });
});

describe("Nacos 3 client API", () => {
  test("GET /nacos/v3/client/cs/config answers content, md5 and type; not found is code 20004 in a 200", async () => {
    await post(server, V2, { dataId: "v3.json", group: "G", content: '{"v":3}', type: "json" });
    const res = await get(server, "/nacos/v3/client/cs/config", { dataId: "v3.json", groupName: "G", namespaceId: "public" });
    const body = (await res.json()) as { code: number; data: Record<string, unknown> };
    expect(body.code).toBe(0);
    expect(body.data).toMatchObject({ content: '{"v":3}', md5: md5('{"v":3}'), contentType: "json", beta: false, resultCode: 200 });
    const missing = await get(server, "/nacos/v3/client/cs/config", { dataId: "nope", groupName: "G" });
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual({ code: 20004, message: "resource not found", data: null });
    const noGroup = await get(server, "/nacos/v3/client/cs/config", { dataId: "v3.json" });
    expect(noGroup.status).toBe(400);
    expect(await noGroup.json()).toMatchObject({ code: 10000 });
  });
});

describe("history", () => {
  test("v1 list, one row, previous and configs; v2 list, row, detail and previous", async () => {
    for (const v of ["h1", "h2", "h3"]) await publishV1(server, "hist.txt", v);
    await del(server, "/nacos/v1/cs/configs", { dataId: "hist.txt", group: "DEFAULT_GROUP" });
    const list = (await (await get(server, "/nacos/v1/cs/history", { search: "accurate", dataId: "hist.txt", group: "DEFAULT_GROUP", pageNo: "1", pageSize: "10" })).json()) as {
      totalCount: number;
      pageItems: { id: string; opType: string; content: string | null; createdTime: string }[];
    };
    expect(list.totalCount).toBe(4);
    expect(list.pageItems.map((r) => r.opType)).toEqual(["D", "U", "U", "I"]);
    expect(list.pageItems[0]!.content).toBeNull();
    expect(list.pageItems[0]!.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    const nid = list.pageItems[1]!.id; // the update that replaced h2
    const row = (await (await get(server, "/nacos/v1/cs/history", { nid, dataId: "hist.txt", group: "DEFAULT_GROUP" })).json()) as { content: string; opType: string };
    expect(row).toMatchObject({ content: "h2", opType: "U" });
    const wrongName = await get(server, "/nacos/v1/cs/history", { nid, dataId: "other.txt", group: "DEFAULT_GROUP" });
    expect(wrongName.status).toBe(403);

    const v2list = (await (await get(server, "/nacos/v2/cs/history/list", { dataId: "hist.txt", group: "DEFAULT_GROUP" })).json()) as { code: number; data: { totalCount: number } };
    expect(v2list).toMatchObject({ code: 0, data: { totalCount: 4 } });
    const detail = (await (await get(server, "/nacos/v2/cs/history/detail", { nid, dataId: "hist.txt", group: "DEFAULT_GROUP" })).json()) as { data: Record<string, unknown> };
    expect(detail.data).toMatchObject({ originalContent: "h2", updatedContent: "h3", opType: "U" });
    const v2row = (await (await get(server, "/nacos/v2/cs/history", { nid: "999999", dataId: "hist.txt", group: "DEFAULT_GROUP" })).json()) as { code: number };
    expect(v2row.code).toBe(20004);
  });

  test("previous is the newest row of a config id; configs lists a namespace's configs", async () => {
    await publishV1(server, "prev.txt", "p1", { tenant: "hist-ns" });
    await publishV1(server, "prev.txt", "p2", { tenant: "hist-ns" });
    const configs = (await (await get(server, "/nacos/v1/cs/history/configs", { tenant: "hist-ns" })).json()) as { id: string; dataId: string }[];
    expect(configs.map((c) => c.dataId)).toEqual(["prev.txt"]);
    const prev = (await (await get(server, "/nacos/v1/cs/history/previous", { id: configs[0]!.id, dataId: "prev.txt", group: "DEFAULT_GROUP", tenant: "hist-ns" })).json()) as {
      content: string;
      opType: string;
    };
    expect(prev).toMatchObject({ content: "p1", opType: "U" });
    const v2prev = (await (await get(server, "/nacos/v2/cs/history/previous", { id: configs[0]!.id, dataId: "prev.txt", group: "DEFAULT_GROUP", namespaceId: "hist-ns" })).json()) as {
      data: { content: string };
    };
    expect(v2prev.data.content).toBe("p1");
  });
});

describe("v2 namespace API", () => {
  test("create, get, list, update, delete with Nacos codes", async () => {
    const path = "/nacos/v2/console/namespace";
    expect(await (await post(server, path, { namespaceId: "ns2", namespaceName: "NS 2" })).json()).toEqual({ code: 0, message: "success", data: true });
    const dup = await post(server, path, { namespaceId: "ns2", namespaceName: "again" });
    expect(dup.status).toBe(400);
    expect(await dup.json()).toMatchObject({ code: 22002, message: "namespace already exist" });
    expect(await (await post(server, path, { namespaceId: "bad id", namespaceName: "x" })).json()).toMatchObject({ code: 22000 });
    expect(await (await get(server, path, { namespaceId: "ns2" })).json()).toMatchObject({ code: 0, data: { namespace: "ns2", namespaceShowName: "NS 2" } });
    expect(await (await get(server, path, { namespaceId: "nope" })).json()).toMatchObject({ code: 22001 });
    const list = (await (await get(server, `${path}/list`)).json()) as { data: { namespace: string }[] };
    expect(list.data[0]!.namespace).toBe("public");
    const put = await fetch(`${server.url}${path}`, { method: "PUT", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "namespaceId=ns2&namespaceName=Renamed" });
    expect(await put.json()).toMatchObject({ code: 0 });
    await post(server, V2, { dataId: "holds", group: "G", namespaceId: "ns2", content: "x" });
    const refused = await del(server, path, { namespaceId: "ns2" });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 20005, data: "namespace ns2 still holds 1 config; remove them first" });
  });
});
