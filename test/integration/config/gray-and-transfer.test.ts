// Gray release (beta by IP, tag versions) and import/export/clone over HTTP, against the real server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, type ServerProcess } from "../../helpers/server.ts";
import { del, get, md5, post, publishV1, readV1 } from "./support.ts";
import { readZip, writeZip } from "../../../src/config/transfer/zip-archive.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.kill();
});

const FROM_BETA = { "X-Forwarded-For": "10.1.2.3" };
const FROM_OTHER = { "X-Forwarded-For": "10.1.2.4" };

describe("beta release", () => {
  test("beta IPs read the beta, others the formal version; the beta shows in queries, lists and history", async () => {
    await publishV1(server, "gray.props", "formal=1", { type: "properties" });
    await publishV1(server, "gray.props", "beta=1", {}, { betaIps: "10.1.2.3,10.1.2.5" });
    const beta = await readV1(server, "gray.props", {}, FROM_BETA);
    expect(await beta.text()).toBe("beta=1");
    expect(beta.headers.get("isBeta")).toBe("true");
    expect(beta.headers.get("Content-MD5")).toBe(md5("beta=1"));
    const other = await readV1(server, "gray.props", {}, FROM_OTHER);
    expect(await other.text()).toBe("formal=1");
    expect(other.headers.get("isBeta")).toBeNull();

    const query = (await (await get(server, "/nacos/v1/cs/configs", { beta: "true", dataId: "gray.props", group: "DEFAULT_GROUP" })).json()) as {
      code: number;
      data: { betaIps: string; content: string };
    };
    expect(query).toMatchObject({ code: 200, data: { betaIps: "10.1.2.3,10.1.2.5", content: "beta=1" } });
    const list = (await (await get(server, "/nacos/v1/cs/configs", { search: "accurate", dataId: "gray.props", group: "", pageNo: "1", pageSize: "10" })).json()) as {
      pageItems: { isBeta: boolean; content: string }[];
    };
    expect(list.pageItems).toMatchObject([{ isBeta: true, content: "formal=1" }]);
    const history = (await (await get(server, "/nacos/v1/cs/history", { search: "accurate", dataId: "gray.props", group: "DEFAULT_GROUP" })).json()) as {
      pageItems: { publishType: string; grayName: string; opType: string }[];
    };
    expect(history.pageItems.map((r) => `${r.publishType}/${r.grayName}/${r.opType}`)).toEqual(["gray/beta/I", "formal//I"]);
  });

  test("stop beta: beta clients read the formal version again", async () => {
    await publishV1(server, "stop.txt", "formal");
    await publishV1(server, "stop.txt", "beta", {}, { betaIps: "10.1.2.3" });
    const res = await fetch(`${server.url}/nacos/v1/cs/configs?beta=true&dataId=stop.txt&group=DEFAULT_GROUP`, { method: "DELETE" });
    expect(await res.json()).toEqual({ code: 200, message: "stop beta ok", data: true });
    expect(await (await readV1(server, "stop.txt", {}, FROM_BETA)).text()).toBe("formal");
    const query = (await (await get(server, "/nacos/v1/cs/configs", { beta: "true", dataId: "stop.txt", group: "DEFAULT_GROUP" })).json()) as { data: unknown };
    expect(query.data).toBeNull();
  });

  test("promote: the beta content becomes formal for everyone", async () => {
    await publishV1(server, "promote.txt", "formal");
    await publishV1(server, "promote.txt", "beta", {}, { betaIps: "10.1.2.3" });
    const res = await post(server, "/nacos/v1/cs/configs?beta=true&promote=true", { dataId: "promote.txt", group: "DEFAULT_GROUP" });
    expect(await res.json()).toMatchObject({ code: 200, data: true });
    expect(await (await readV1(server, "promote.txt", {}, FROM_OTHER)).text()).toBe("beta");
    expect((await readV1(server, "promote.txt", {}, FROM_BETA)).headers.get("isBeta")).toBeNull();
  });

  test("bad beta IPs are refused", async () => {
    const res = await post(server, "/nacos/v1/cs/configs", { dataId: "badbeta", group: "DEFAULT_GROUP", content: "x" }, { betaIps: "10.0.0.1;drop" });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("caused: invalid beta ip : 10.0.0.1;drop;");
  });
});

describe("tag versions", () => {
  test("a reader sending a tag gets that version, the tag header, and 404 for a tag nobody published", async () => {
    await publishV1(server, "tagged.txt", "formal");
    await publishV1(server, "tagged.txt", "for canary", { tag: "canary" });
    const canary = await readV1(server, "tagged.txt", { tag: "canary" });
    expect(await canary.text()).toBe("for canary");
    expect(canary.headers.get("tag")).toBe("canary");
    expect(await (await readV1(server, "tagged.txt")).text()).toBe("formal");
    expect((await readV1(server, "tagged.txt", { tag: "nobody" })).status).toBe(404);
    await del(server, "/nacos/v1/cs/configs", { dataId: "tagged.txt", group: "DEFAULT_GROUP", tag: "canary" });
    expect((await readV1(server, "tagged.txt", { tag: "canary" })).status).toBe(404);
    expect(await (await readV1(server, "tagged.txt")).text()).toBe("formal");
  });
});

describe("import, export and clone in Nacos's zip format", () => {
  async function importZip(zip: Uint8Array, params: string): Promise<{ code: number; message: string; data: Record<string, unknown> }> {
    const body = new FormData();
    body.append("file", new Blob([zip as Uint8Array<ArrayBuffer>], { type: "application/zip" }), "export.zip");
    const res = await fetch(`${server.url}/nacos/v1/cs/configs?import=true&${params}`, { method: "POST", body });
    expect(res.status).toBe(200);
    return (await res.json()) as { code: number; message: string; data: Record<string, unknown> };
  }

  test("exportV2 then import into another namespace: a round trip of content and metadata", async () => {
    for (const [d, c, t] of [["ex-a.yaml", "a: 1", "yaml"], ["ex-b.json", "{}", "json"]] as const) await publishV1(server, d, c, { group: "EXPORT", type: t, appName: "shop", desc: `desc ${d}` });
    const res = await get(server, "/nacos/v1/cs/configs", { exportV2: "true", group: "EXPORT", tenant: "" });
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment;filename=nacos_config_export_\d{14}\.zip$/);
    const zip = new Uint8Array(await res.arrayBuffer());
    expect(readZip(zip, { maxEntries: 10, maxTotalBytes: 1 << 20 }).map((e) => e.name)).toEqual(["EXPORT/ex-a.yaml", "EXPORT/ex-b.json", ".metadata.yml"]);
    await post(server, "/nacos/v1/console/namespaces", { customNamespaceId: "imported", namespaceName: "Imported" });
    const result = await importZip(zip, "namespace=imported&policy=OVERWRITE");
    expect(result).toMatchObject({ code: 200, message: "import success", data: { succCount: 2, skipCount: 0 } });
    const copy = (await (await get(server, "/nacos/v1/cs/configs", { show: "all", dataId: "ex-a.yaml", group: "EXPORT", tenant: "imported" })).json()) as Record<string, unknown>;
    expect(copy).toMatchObject({ content: "a: 1", type: "yaml", appName: "shop", desc: "desc ex-a.yaml" });
  });

  test("v1 export, SKIP policy, unknown namespace, not a zip", async () => {
    await publishV1(server, "old-export.txt", "x", { group: "OLD", appName: "web" });
    const zip = new Uint8Array(await (await get(server, "/nacos/v1/cs/configs", { export: "true", group: "OLD" })).arrayBuffer());
    const entries = readZip(zip, { maxEntries: 10, maxTotalBytes: 1 << 20 });
    expect(entries.map((e) => e.name)).toEqual(["OLD/old-export.txt", ".meta.yml"]);
    expect(await importZip(zip, "policy=SKIP")).toMatchObject({ code: 200, data: { succCount: 0, skipCount: 1 } });
    expect(await importZip(zip, "namespace=does-not-exist")).toMatchObject({ code: 100001, data: { succCount: 0 } });
    expect(await importZip(new TextEncoder().encode("not a zip"), "")).toMatchObject({ code: 100004 });
    expect(await importZip(writeZip([]), "")).toMatchObject({ code: 100005 });
  });

  test("clone copies selected configs into a namespace under new names", async () => {
    await publishV1(server, "clone-src", "cloned content", { group: "CLONE" });
    const { id } = (await (await get(server, "/nacos/v1/cs/configs", { show: "all", dataId: "clone-src", group: "CLONE" })).json()) as { id: string };
    await post(server, "/nacos/v1/console/namespaces", { customNamespaceId: "clones", namespaceName: "Clones" });
    const res = await fetch(`${server.url}/nacos/v1/cs/configs?clone=true&tenant=clones&policy=ABORT`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ cfgId: id, dataId: "clone-dst", group: "CLONE2" }]),
    });
    expect(await res.json()).toMatchObject({ code: 200, message: "Clone Completed Successfully", data: { succCount: 1 } });
    expect(await (await readV1(server, "clone-dst", { group: "CLONE2", tenant: "clones" })).text()).toBe("cloned content");
  });
});
