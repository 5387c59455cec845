// The Nacos conversation a 2.x SDK has with the server, over real gRPC (grpc-js + the official proto)
// against the bridge running in its own process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

let server: GrpcTestServer;
let client: NacosGrpcClient;
beforeAll(async () => {
  server = await startGrpcTestServer();
  client = new NacosGrpcClient(server.address, { clientVersion: "Nacos-Java-Client:v2.3.2", tenant: "dev", labels: { source: "sdk", module: "naming", AppName: "orders" }, clientIp: "10.9.8.7" });
  await client.connect();
});
afterAll(async () => {
  client?.close();
  await server?.kill();
});

describe("handshake", () => {
  test("ServerCheckResponse carries a {millis}_{ip}_{port} connection id and no ability negotiation", async () => {
    const c = new NacosGrpcClient(server.address);
    try {
      const r = await c.serverCheck();
      expect(r.type).toBe("ServerCheckResponse");
      expect(r.body).toMatchObject({ resultCode: 200, errorCode: 0, success: true, supportAbilityNegotiation: false });
      const [millis, ip, port] = String(r.body.connectionId).split("_");
      expect(Math.abs(Number(millis) - Date.now())).toBeLessThan(60_000);
      expect(ip).toBe("127.0.0.1");
      expect(Number(port)).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });

  test("ConnectionSetupRequest registers the connection with its setup info; the server does not answer it", async () => {
    const e = await server.waitForEvent((x) => x.event === "connected" && x.id === client.connectionId);
    expect(e).toMatchObject({ clientVersion: "Nacos-Java-Client:v2.3.2", tenant: "dev", appName: "orders", labels: { module: "naming" }, clientIp: "10.9.8.7" });
    expect(client.serverRequests).toEqual([]);
  });

  test("HealthCheckRequest → HealthCheckResponse", async () => {
    const r = await client.request("HealthCheckRequest", { requestId: "hc-1" });
    expect(r).toMatchObject({ type: "HealthCheckResponse", body: { resultCode: 200, errorCode: 0, success: true, requestId: "hc-1" } });
  });

  test("a unary request before ConnectionSetupRequest gets errorCode 301", async () => {
    const c = new NacosGrpcClient(server.address);
    try {
      await c.serverCheck();
      const r = await c.request("HealthCheckRequest", { requestId: "x" });
      expect(r).toMatchObject({ type: "ErrorResponse", body: { resultCode: 500, errorCode: 301, message: "Connection is unregistered.", success: false, requestId: "x" } });
    } finally {
      c.close();
    }
  });

  test("the handler sees the request and its context: connection id, client ip, headers, identity, setup info", async () => {
    const r = await client.request("EchoRequest", { requestId: "e1", dataId: "d" }, { headers: { accessToken: "alice", app: "orders" } });
    expect(r.type).toBe("EchoResponse");
    expect(r.body).toMatchObject({
      requestId: "e1",
      success: true,
      echo: { dataId: "d" },
      context: {
        connectionId: client.connectionId,
        clientIp: "10.9.8.7",
        remoteIp: "127.0.0.1",
        headers: { accessToken: "alice", app: "orders" },
        identity: "user:alice",
        connection: { clientVersion: "Nacos-Java-Client:v2.3.2", tenant: "dev", appName: "orders" },
      },
    });
  });
});

describe("error mapping", () => {
  test("unknown request type → ErrorResponse 302 RequestHandler Not Found", async () => {
    const r = await client.request("NoSuchThingRequest", { requestId: "u" });
    expect(r).toEqual({ type: "ErrorResponse", body: { resultCode: 500, errorCode: 302, message: "RequestHandler Not Found", requestId: "u", success: false }, headers: {}, clientIp: "" });
  });

  test("malformed payload body → 400 with the reason; the connection keeps working", async () => {
    const r = await client.request("EchoRequest", new TextEncoder().encode("{oops"));
    expect(r.type).toBe("ErrorResponse");
    expect(r.body).toMatchObject({ errorCode: 400, success: false });
    expect(String(r.body.message)).toContain("invalid EchoRequest: body is not valid JSON");
    expect((await client.request("HealthCheckRequest")).body.success).toBe(true);
  });

  test("missing required fields → 400 naming them", async () => {
    const r = await client.request("ValidateRequest", { dataId: "" });
    expect(r.body).toMatchObject({ errorCode: 400, message: "missing required fields: dataId, group" });
  });

  test("DomainError → its code; a handler-chosen response type; soft failure under the handler type", async () => {
    expect((await client.request("FailRequest", { kind: "conflict", message: "md5 mismatch" })).body).toMatchObject({ errorCode: 409, message: "md5 mismatch", resultCode: 500 });
    expect(await client.request("TypedFailRequest")).toMatchObject({ type: "TypedFailResponse", body: { errorCode: 20404, message: "no such thing" } });
    expect(await client.request("SoftFailRequest")).toMatchObject({ type: "SoftFailResponse", body: { errorCode: 300, extra: 1, success: false } });
  });

  test("a handler throwing a plain error → 500; the server keeps serving", async () => {
    const r = await client.request("FailRequest", { kind: "plain" });
    expect(r.body).toMatchObject({ errorCode: 500, resultCode: 500, success: false });
    expect(String(r.body.message)).toContain("plain failure");
    expect((await client.request("HealthCheckRequest")).body.success).toBe(true);
  });

  test("an AccessChecker denial → 403", async () => {
    const r = await client.request("EchoRequest", {}, { headers: { accessToken: "bad" } });
    expect(r.body).toMatchObject({ errorCode: 403, message: "token rejected for EchoRequest", success: false });
  });

  test("node not ready → 300 for server checks and requests (Go SDK retries on 300-399)", async () => {
    await server.command("ready false", "ACK ready false");
    try {
      const c = new NacosGrpcClient(server.address);
      const r = await c.serverCheck();
      expect(r).toMatchObject({ type: "ErrorResponse", body: { errorCode: 300, message: "Server is starting,please try later." } });
      expect((await client.request("HealthCheckRequest")).body.errorCode).toBe(300);
      c.close();
    } finally {
      await server.command("ready true", "ACK ready true");
    }
    expect((await client.request("HealthCheckRequest")).body.success).toBe(true); // read per request
  });
});
