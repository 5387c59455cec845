// What a domain handler sees and how its outcomes reach the SDK, with handlers that exist for tests
// (test/helpers/grpc-test-server.ts) in a process of their own.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import type { ClientHttp2Session } from "node:http2";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { decodePayload, encodePayload, makePayload } from "../../../src/grpc/payload.ts";
import { call, collect, connect, grpcHeaders, nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

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

/** Registers a raw HTTP/2 session as a Nacos connection (bi-stream + ConnectionSetupRequest). */
async function setUpRaw(session: ClientHttp2Session) {
  const stream = session.request(grpcHeaders("/BiRequestStream/requestBiStream"));
  stream.write(nacosFrame("ConnectionSetupRequest", { clientVersion: "raw", labels: {} }));
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await call(session, grpcHeaders("/Request/request"), [nacosFrame("HealthCheckRequest", {})]);
    if (payloadsOf(r.data)[0]?.body.success === true) return stream;
    if (Date.now() > deadline) throw new Error("raw session did not register");
    await Bun.sleep(5);
  }
}

describe("handler context", () => {
  test("connected event carries the setup info", async () => {
    const e = await server.waitForEvent((x) => x.event === "connected" && x.id === client.connectionId);
    expect(e).toMatchObject({ clientVersion: "Nacos-Java-Client:v2.3.2", tenant: "dev", appName: "orders", labels: { module: "naming" }, clientIp: "10.9.8.7" });
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

  test("the connection registry lists connections for the console", async () => {
    const r = await client.request("ConnectionsRequest");
    const mine = (r.body.connections as { id: string }[]).find((c) => c.id === client.connectionId);
    expect(mine).toMatchObject({ clientIp: "10.9.8.7", remoteIp: "127.0.0.1", clientVersion: "Nacos-Java-Client:v2.3.2", appName: "orders" });
  });
});

describe("error mapping", () => {
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

  test("node not ready → 300 for server checks and requests (the Go SDK retries on 300-399)", async () => {
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

describe("deadlines and cancellation", () => {
  test("grpc-timeout passes → the server answers DEADLINE_EXCEEDED and aborts the handler", async () => {
    const session = await connect(server.port);
    try {
      await setUpRaw(session);
      const started = Date.now();
      const r = await call(session, grpcHeaders("/Request/request", { "grpc-timeout": "150m" }), [nacosFrame("SlowRequest", { ms: 5000, requestId: "slow-1" })]);
      const took = Date.now() - started;
      expect(r.grpcStatus).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(took).toBeGreaterThanOrEqual(140);
      expect(took).toBeLessThan(2000);
      const aborted = await server.waitForEvent((e) => e.event === "aborted" && e.requestId === "slow-1");
      expect(aborted.reason).toBe("Deadline exceeded");
      // a call that finishes in time is not affected
      const fast = await call(session, grpcHeaders("/Request/request", { "grpc-timeout": "5S" }), [nacosFrame("SlowRequest", { ms: 10 })]);
      expect(fast.grpcStatus).toBe(0);
    } finally {
      session.destroy();
    }
  });

  test("grpc-js with a deadline gets DEADLINE_EXCEEDED", async () => {
    const err = await client.request("SlowRequest", { ms: 3000 }, { deadlineMs: 200 }).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  test("a client cancelling a call aborts the handler", async () => {
    const session = await connect(server.port);
    try {
      await setUpRaw(session);
      const stream = session.request(grpcHeaders("/Request/request"));
      const answer = collect(stream).catch(() => undefined);
      stream.end(nacosFrame("SlowRequest", { ms: 5000, requestId: "cancel-me" }));
      await Bun.sleep(50);
      stream.close(8 /* NGHTTP2_CANCEL */);
      await answer;
      const e = await server.waitForEvent((x) => x.event === "aborted" && x.requestId === "cancel-me");
      expect(e.reason).toContain("cancelled");
    } finally {
      session.destroy();
    }
  });
});

describe("extra methods on the same port (the cluster channel's way in)", () => {
  const raw = (x: Buffer) => x;
  const payload = (type: string) => Buffer.from(encodePayload(makePayload(type, { n: 1 })));
  const typeOf = (b: Buffer) => decodePayload(b).metadata?.type;

  test("a unary method added with addMethod is served; a GrpcError sets the status", async () => {
    const c = new grpc.Client(server.address, grpc.credentials.createInsecure());
    try {
      const ok = await new Promise<Buffer>((resolve, reject) => c.makeUnaryRequest("/rnacos.test.Echo/Unary", raw, raw, payload("ping"), (e, r) => (e ? reject(e) : resolve(r!))));
      expect(typeOf(ok)).toBe("echo:ping");
      const err = await new Promise<grpc.ServiceError>((resolve) => c.makeUnaryRequest("/rnacos.test.Echo/Unary", raw, raw, payload("fail"), (e) => resolve(e!)));
      expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(err.details).toBe("asked to fail");
    } finally {
      c.close();
    }
  });

  test("a bidi method added with addMethod streams both ways and ends with OK", async () => {
    const c = new grpc.Client(server.address, grpc.credentials.createInsecure());
    try {
      const stream = c.makeBidiStreamRequest("/rnacos.test.Echo/Stream", raw, raw);
      const got: string[] = [];
      stream.on("data", (b: Buffer) => got.push(String(typeOf(b))));
      const status = new Promise<grpc.StatusObject>((resolve) => stream.on("status", resolve));
      stream.on("error", () => {});
      for (const t of ["a", "b", "c"]) stream.write(payload(t));
      stream.end();
      expect((await status).code).toBe(grpc.status.OK);
      expect(got).toEqual(["echo:a", "echo:b", "echo:c"]);
    } finally {
      c.close();
    }
  });
});
