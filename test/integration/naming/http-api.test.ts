// The v1 and v2 naming HTTP API against the real server: discovery filters, protect threshold,
// services and catalog, and bad inputs answered as Nacos answers them (v1: status + text; v2:
// {code, message, data}), never a crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, type ServerProcess } from "../../helpers/server.ts";
import { namingApi } from "./support/naming-api.ts";

let server: ServerProcess;
let api: ReturnType<typeof namingApi>;
beforeAll(async () => {
  server = await startServer();
  api = namingApi(server);
});
afterAll(() => server?.kill());

describe("discovery", () => {
  test("ServiceInfo as 1.x clients key it; healthyOnly and clusters filter", async () => {
    await api.register({ serviceName: "disc", ip: "10.0.0.1", port: 80, clusterName: "A" });
    await api.register({ serviceName: "disc", ip: "10.0.0.2", port: 80, clusterName: "B", healthy: false });
    await api.register({ serviceName: "disc", ip: "10.0.0.3", port: 80, clusterName: "B", enabled: false });
    const all = await api.list({ serviceName: "disc" });
    expect(all).toMatchObject({ name: "DEFAULT_GROUP@@disc", groupName: "DEFAULT_GROUP", clusters: "", cacheMillis: 10000, reachProtectionThreshold: false });
    expect(all.hosts.map((h) => h.ip).sort()).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect((await api.list({ serviceName: "disc", healthyOnly: true })).hosts.map((h) => h.ip)).toEqual(["10.0.0.1"]);
    const b = await api.list({ serviceName: "DEFAULT_GROUP@@disc", clusters: "B" });
    expect(b.clusters).toBe("B");
    expect(b.hosts.map((h) => h.ip)).toEqual(["10.0.0.2"]);
  });

  test("a large list goes out gzipped to clients that accept it (Nacos clients send Accept-Encoding: gzip)", async () => {
    for (let i = 1; i <= 20; i++) await api.register({ serviceName: "gz", ip: `10.0.9.${i}`, port: 80, metadata: '{"zone":"eu-west-1a"}' });
    const plain = await fetch(api.url("/v1/ns/instance/list", { serviceName: "gz" }), { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    const zipped = await fetch(api.url("/v1/ns/instance/list", { serviceName: "gz" }), { headers: { "accept-encoding": "gzip,deflate,sdch" }, decompress: false } as RequestInit);
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    const raw = new Uint8Array(await zipped.arrayBuffer());
    const text = await plain.text();
    expect(raw.byteLength).toBeLessThan(text.length / 3);
    expect(JSON.parse(new TextDecoder().decode(Bun.gunzipSync(raw)))).toEqual(JSON.parse(text));
  });

  test("protect threshold: below it, all instances come back (marked healthy) with reachProtectionThreshold", async () => {
    for (let i = 1; i <= 4; i++) await api.register({ serviceName: "prot", ip: `10.0.1.${i}`, port: 80, healthy: i === 1 });
    expect((await api.list({ serviceName: "prot", healthyOnly: true })).hosts).toHaveLength(1);
    expect((await api.call("PUT", "/v1/ns/service", { serviceName: "prot", protectThreshold: 0.5 })).text).toBe("ok");
    const protectedList = await api.list({ serviceName: "prot", healthyOnly: true });
    expect(protectedList.reachProtectionThreshold).toBe(true);
    expect(protectedList.hosts).toHaveLength(4);
    expect(protectedList.hosts.every((h) => h.healthy)).toBe(true);
    const catalog = JSON.parse((await api.call("GET", "/v1/ns/catalog/services", { serviceNameParam: "prot" })).text);
    expect(catalog.serviceList[0]).toMatchObject({ name: "prot", ipCount: 4, healthyInstanceCount: 1, triggerFlag: "true" });
  });

  test("instance detail and update (v1 and v2)", async () => {
    await api.register({ serviceName: "upd", groupName: "G1", ip: "10.0.2.1", port: 80, weight: 2, metadata: '{"a":"1"}' });
    expect(await api.call("PUT", "/v1/ns/instance", { serviceName: "upd", groupName: "G1", ip: "10.0.2.1", port: 80, enabled: false })).toMatchObject({ status: 200, text: "ok" });
    const detail = JSON.parse((await api.call("GET", "/v1/ns/instance", { serviceName: "G1@@upd", ip: "10.0.2.1", port: 80 })).text);
    expect(detail).toMatchObject({ service: "G1@@upd", ip: "10.0.2.1", port: 80, weight: 2, clusterName: "DEFAULT", metadata: { a: "1" } });
    const v2 = JSON.parse((await api.call("GET", "/v2/ns/instance", { serviceName: "upd", groupName: "G1", ip: "10.0.2.1", port: 80 })).text);
    expect(v2).toMatchObject({ code: 0, message: "success", data: { serviceName: "G1@@upd", weight: 2 } });
    expect((await api.list({ serviceName: "upd", groupName: "G1" })).hosts).toHaveLength(0); // disabled
  });

  test("form-encoded bodies work like query parameters (Java 1.x clients send them)", async () => {
    const res = await fetch(api.url("/v1/ns/instance"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ serviceName: "form", ip: "10.0.3.1", port: "81", ephemeral: "true" }),
    });
    expect(await res.text()).toBe("ok");
    const beat = await fetch(api.url("/v1/ns/instance/beat", { serviceName: "DEFAULT_GROUP@@form" }), {
      method: "PUT",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ beat: JSON.stringify({ ip: "10.0.3.1", port: 81, cluster: "DEFAULT", serviceName: "DEFAULT_GROUP@@form" }) }),
    });
    expect(await beat.json()).toMatchObject({ code: 10200 });
  });
});

describe("services", () => {
  test("v1 service CRUD, list and catalog", async () => {
    expect((await api.call("POST", "/v1/ns/service", { serviceName: "svc-a", groupName: "G", protectThreshold: 0.2, metadata: "k=v" })).text).toBe("ok");
    const dup = await api.call("POST", "/v1/ns/service", { serviceName: "svc-a", groupName: "G" });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain("already exists");
    const detail = JSON.parse((await api.call("GET", "/v1/ns/service", { serviceName: "svc-a", groupName: "G" })).text);
    expect(detail).toMatchObject({ namespaceId: "public", groupName: "G", name: "svc-a", protectThreshold: 0.2, metadata: { k: "v" }, selector: { type: "none" } });
    const list = JSON.parse((await api.call("GET", "/v1/ns/service/list", { pageNo: 1, pageSize: 10, groupName: "G" })).text);
    expect(list).toEqual({ count: 1, doms: ["svc-a"] });
    expect((await api.call("DELETE", "/v1/ns/service", { serviceName: "svc-a", groupName: "G" })).text).toBe("ok");
    expect((await api.call("GET", "/v1/ns/service", { serviceName: "svc-a", groupName: "G" })).status).toBe(400);
  });

  test("v2 service CRUD in the {code, message, data} envelope", async () => {
    const created = JSON.parse((await api.call("POST", "/v2/ns/service", { serviceName: "svc-b", protectThreshold: 0.1 })).text);
    expect(created).toEqual({ code: 0, message: "success", data: "ok" });
    const detail = JSON.parse((await api.call("GET", "/v2/ns/service", { serviceName: "svc-b" })).text);
    expect(detail.data).toMatchObject({ namespaceId: "public", groupName: "DEFAULT_GROUP", serviceName: "svc-b", protectThreshold: 0.1 });
    const list = JSON.parse((await api.call("GET", "/v2/ns/service/list", {})).text);
    expect(list.data.services).toContain("svc-b");
    await api.register({ serviceName: "svc-b", ip: "10.0.4.1", port: 80 });
    const refused = await api.call("DELETE", "/v2/ns/service", { serviceName: "svc-b" });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 21009, message: "service delete failure" });
    const v2list = JSON.parse((await api.call("GET", "/v2/ns/instance/list", { serviceName: "svc-b" })).text);
    expect(v2list).toMatchObject({ code: 0, data: { name: "DEFAULT_GROUP@@svc-b", hosts: [{ ip: "10.0.4.1" }] } });
  });
});

describe("bad input is a 4xx with a clear message, never a crash", () => {
  const cases: [string, string, Record<string, string | number>, RegExp][] = [
    ["POST", "/v1/ns/instance", { ip: "10.0.0.1", port: 80 }, /Param 'serviceName' is required/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", port: 80 }, /Param 'ip' is required/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", ip: "not an ip", port: 80 }, /'ip' is illegal/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", ip: "10.0.0.1", port: 0 }, /1-65535/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", ip: "10.0.0.1", port: 80, weight: 10001 }, /weights range from 0 to 10000/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", ip: "10.0.0.1", port: 80, metadata: "a=1,b" }, /metadata format incorrect/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", ip: "10.0.0.1", port: 80, healthy: "maybe" }, /'healthy' is illegal/],
    ["POST", "/v1/ns/instance", { serviceName: "G@@", ip: "10.0.0.1", port: 80 }, /'serviceName' is illegal/],
    ["POST", "/v1/ns/instance", { serviceName: "x".repeat(600), ip: "10.0.0.1", port: 80 }, /longer than 512/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", groupName: "a b", ip: "10.0.0.1", port: 80 }, /'groupName' is illegal/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", namespaceId: "a/b", ip: "10.0.0.1", port: 80 }, /'namespaceId' is illegal/],
    ["POST", "/v1/ns/instance", { serviceName: "bad", ip: "10.0.0.1", port: 80, clusterName: "a b" }, /'clusterName' is illegal/],
    ["PUT", "/v1/ns/instance/beat", { serviceName: "bad", beat: "{not json" }, /'beat' is not valid JSON/],
    ["GET", "/v1/ns/instance/list", { serviceName: "bad", udpPort: "x" }, /'udpPort' is illegal/],
    ["PUT", "/v1/ns/service", { serviceName: "bad", protectThreshold: 2 }, /'protectThreshold' is illegal/],
    ["POST", "/v1/ns/service", { serviceName: "bad2", selector: '{"type":"magic"}' }, /not match any type of selector/],
    ["GET", "/v1/ns/instance", { serviceName: "nobody", ip: "10.0.0.1", port: 80 }, /no ips found/],
  ];
  test.each(cases.map(([m, p, params, re]) => [`${m} ${p} → ${re.source}`, m, p, params, re] as const))("%s", async (_name, method, path, params, message) => {
    const r = await api.call(method, path, params);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.type).toContain("text/plain");
    expect(r.text).toMatch(message);
  });

  test("v2 answers with Nacos's detail codes", async () => {
    const missing = await api.call("POST", "/v2/ns/instance", { serviceName: "bad", ip: "10.0.0.1" });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text)).toEqual({ code: 10000, message: "parameter missing", data: "Param 'port' is required." });
    const weight = JSON.parse((await api.call("POST", "/v2/ns/instance", { serviceName: "bad", ip: "10.0.0.1", port: 1, weight: -1 })).text);
    expect(weight.code).toBe(21001);
    const noService = JSON.parse((await api.call("GET", "/v2/ns/service", { serviceName: "nope" })).text);
    expect(noService.code).toBe(21008);
  });

  test("the natively served list and beat apply the request limits too", async () => {
    const long = await api.call("GET", "/v1/ns/instance/list", { serviceName: "x".repeat(9000) });
    expect(long.status).toBe(414);
    const beat = await api.call("PUT", "/v1/ns/instance/beat", { serviceName: "x".repeat(9000) });
    expect(beat.status).toBe(414);
  });

  test("the server is still fine afterwards", async () => {
    expect((await api.metrics()).status).toBe("UP");
    expect(server.output()).not.toContain("naming request failed");
  });
});
