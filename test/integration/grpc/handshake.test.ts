// The Nacos conversation every 2.x SDK starts with, against the real rnacos process: ServerCheckRequest,
// bi-stream + ConnectionSetupRequest, HealthCheckRequest, and the bridge's own error answers.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { literal, startRealServer, type RealServer } from "./support/real-server.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

let server: RealServer;
let client: NacosGrpcClient;
beforeAll(async () => {
  server = await startRealServer();
  client = new NacosGrpcClient(server.address, { clientVersion: "Nacos-Java-Client:v2.3.2", tenant: "dev", labels: { source: "sdk", module: "naming", AppName: "orders" }, clientIp: "10.9.8.7" });
  await client.connect();
});
afterAll(async () => {
  client?.close();
  await server?.dispose();
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

  test("ConnectionSetupRequest registers the connection with its setup info; the server sends nothing back", async () => {
    const line = await server.waitForLog(new RegExp(`connection registered connection=${literal(client.connectionId!)}`));
    expect(line).toContain("clientIp=10.9.8.7");
    expect(line).toContain("version=Nacos-Java-Client:v2.3.2");
    expect(line).toContain("app=orders");
    expect(line).toContain("tenant=dev");
    expect(client.serverRequests).toEqual([]);
  });

  test("HealthCheckRequest → HealthCheckResponse echoing the requestId", async () => {
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

  test("unknown request type → ErrorResponse 302 RequestHandler Not Found", async () => {
    const r = await client.request("NoSuchThingRequest", { requestId: "u" });
    expect(r).toEqual({ type: "ErrorResponse", body: { resultCode: 500, errorCode: 302, message: "RequestHandler Not Found", requestId: "u", success: false }, headers: {}, clientIp: "" });
  });

  test("malformed payload body → 400 with the reason; the connection keeps working", async () => {
    const r = await client.request("HealthCheckRequest", new TextEncoder().encode("{oops"));
    expect(r.type).toBe("ErrorResponse");
    expect(r.body).toMatchObject({ errorCode: 400, success: false });
    expect(String(r.body.message)).toContain("invalid HealthCheckRequest: body is not valid JSON");
    expect((await client.request("HealthCheckRequest")).body.success).toBe(true);
  });
});
