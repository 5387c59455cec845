// The HTTP/2 and gRPC layer under the Nacos protocol: framing across DATA frames, status and trailers,
// trailers-only errors, deadlines, compression, size limits, PING, SETTINGS. Raw node:http2 where a real
// gRPC client would hide the detail, grpc-js where the point is "a real client gets the right status".
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import type { ClientHttp2Session } from "node:http2";
import { gzipSync } from "node:zlib";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { call, collect, connect, grpcHeaders, nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

const MAX_MESSAGE = 64 * 1024;
let server: GrpcTestServer;
let raw: ClientHttp2Session;

beforeAll(async () => {
  server = await startGrpcTestServer({ maxMessageBytes: MAX_MESSAGE, maxConcurrentStreams: 64 });
  raw = await connect(server.port);
});
afterAll(async () => {
  raw?.destroy();
  await server?.kill();
});

/** Registers the raw session as a Nacos connection (bi-stream + ConnectionSetupRequest). */
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

describe("gRPC over HTTP/2", () => {
  test("200 + application/grpc, the message, then trailers grpc-status 0", async () => {
    const r = await call(raw, grpcHeaders("/Request/request"), [nacosFrame("ServerCheckRequest", { requestId: "1" })]);
    expect(Number(r.headers[":status"])).toBe(200);
    expect(r.headers["content-type"]).toBe("application/grpc");
    expect(r.trailers?.["grpc-status"]).toBe("0");
    expect(payloadsOf(r.data)).toMatchObject([{ type: "ServerCheckResponse", body: { requestId: "1", success: true } }]);
  });

  test("a request message written one byte per DATA frame is reassembled", async () => {
    const frame = nacosFrame("ServerCheckRequest", { requestId: "drip", pad: "x".repeat(300) });
    const chunks = [...frame].map((b) => new Uint8Array([b]));
    const r = await call(raw, grpcHeaders("/Request/request"), chunks);
    expect(r.grpcStatus).toBe(0);
    expect(payloadsOf(r.data)[0]!.body.requestId).toBe("drip");
  });

  test("several bi-stream messages in one DATA frame, the last split into the next one", async () => {
    const session = await connect(server.port);
    try {
      const stream = session.request(grpcHeaders("/BiRequestStream/requestBiStream"));
      const setup = nacosFrame("ConnectionSetupRequest", { clientVersion: "merged-frames", labels: { AppName: "m" } });
      const ack = nacosFrame("ClientDetectionResponse", { requestId: "nobody-waits", resultCode: 200 });
      const again = nacosFrame("ConnectionSetupRequest", { clientVersion: "ignored" });
      stream.write(Buffer.concat([setup, ack, again.subarray(0, 7)]));
      stream.write(again.subarray(7));
      const e = await server.waitForEvent((x) => x.event === "connected" && x.clientVersion === "merged-frames");
      expect(e.appName).toBe("m");
      const r = await call(session, grpcHeaders("/Request/request"), [nacosFrame("HealthCheckRequest", {})]);
      expect(payloadsOf(r.data)[0]!.body.success).toBe(true);
      expect(server.events.some((x) => x.clientVersion === "ignored")).toBe(false);
    } finally {
      session.destroy();
    }
  });

  test("two messages on a unary call → INTERNAL; an empty unary call → INTERNAL", async () => {
    const two = await call(raw, grpcHeaders("/Request/request"), [Buffer.concat([nacosFrame("ServerCheckRequest", {}), nacosFrame("ServerCheckRequest", {})])]);
    expect(two.grpcStatus).toBe(grpc.status.INTERNAL);
    expect(two.grpcMessage).toContain("more than one request message");
    const none = await call(raw, grpcHeaders("/Request/request"), []);
    expect(none.grpcStatus).toBe(grpc.status.INTERNAL);
  });

  test("unknown method → trailers-only UNIMPLEMENTED (status in the only HEADERS frame)", async () => {
    const r = await call(raw, grpcHeaders("/nacos.Nothing/here"), [nacosFrame("X", {})]);
    expect(Number(r.headers[":status"])).toBe(200);
    expect(r.headers["grpc-status"]).toBe(String(grpc.status.UNIMPLEMENTED));
    expect(r.trailers).toBeUndefined();
    expect(r.grpcMessage).toBe("unknown method /nacos.Nothing/here");
  });

  test("unknown method via grpc-js → UNIMPLEMENTED", async () => {
    const c = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      c.makeUnaryRequest("/Request/nope", (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (e) => resolve(e!)),
    );
    c.close();
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test("a non-gRPC content-type gets HTTP 415; a GET gets 405", async () => {
    const r = await call(raw, { ...grpcHeaders("/Request/request"), "content-type": "application/json" }, [Buffer.from("{}")]);
    expect(Number(r.headers[":status"])).toBe(415);
    expect(r.data.toString()).toContain('invalid gRPC request content-type "application/json"');
    const get = await call(raw, { ":method": "GET", ":path": "/Request/request", "content-type": "application/grpc" }, [], { end: false });
    expect(Number(get.headers[":status"])).toBe(405);
    const plus = await call(raw, { ...grpcHeaders("/Request/request"), "content-type": "application/grpc+proto" }, [nacosFrame("ServerCheckRequest", {})]);
    expect(plus.grpcStatus).toBe(0);
  });

  test("grpc-message is percent-encoded on the wire", async () => {
    const r = await call(raw, grpcHeaders("/x/100%"), [nacosFrame("X", {})]);
    expect(r.grpcMessage).toBe("unknown method /x/100%25");
  });
});

describe("limits", () => {
  test("a message over the limit → RESOURCE_EXHAUSTED (grpc-js), and the connection keeps working", async () => {
    const c = new NacosGrpcClient(server.address, { channelOptions: { "grpc.max_send_message_length": -1 } });
    try {
      await c.connect();
      const err = await c.request("EchoRequest", { big: "x".repeat(MAX_MESSAGE + 10) }).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((err as grpc.ServiceError).details).toContain(`vs. ${MAX_MESSAGE}`);
      const ok = await c.request("EchoRequest", { small: "x".repeat(1000) });
      expect(ok.body.success).toBe(true);
    } finally {
      c.close();
    }
  });

  test("the oversize answer comes from the header alone, while the client is still sending", async () => {
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(50 * 1024 * 1024, 1); // announces 50 MiB, sends nothing more
    const r = await call(raw, grpcHeaders("/Request/request"), [frame], { end: false });
    expect(r.grpcStatus).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  test("SETTINGS announce max concurrent streams; PING is answered with the same payload", async () => {
    const session = await connect(server.port);
    try {
      // The SETTINGS frame may arrive after "connect"; until then remoteSettings shows the defaults.
      const deadline = Date.now() + 2000;
      while (session.remoteSettings.maxConcurrentStreams !== 64 && Date.now() < deadline) await Bun.sleep(5);
      expect(session.remoteSettings.maxConcurrentStreams).toBe(64);
      const payload = Buffer.from("rnacos!!");
      const echoed = await new Promise<Buffer>((resolve, reject) => session.ping(payload, (err, _ms, p) => (err ? reject(err) : resolve(p))));
      expect(echoed.toString()).toBe("rnacos!!");
    } finally {
      session.destroy();
    }
  });

  test("gzip-compressed requests (grpc-js default_compression_algorithm) are inflated", async () => {
    const c = new NacosGrpcClient(server.address, { channelOptions: { "grpc.default_compression_algorithm": 2 } });
    try {
      await c.connect();
      const r = await c.request("EchoRequest", { text: "zip ".repeat(5000) });
      expect(r.body.success).toBe(true);
      expect(String((r.body.echo as { text: string }).text).length).toBe(20000);
    } finally {
      c.close();
    }
  });

  test("a gzip-flagged message with grpc-encoding: gzip is inflated (raw frames)", async () => {
    const plain = nacosFrame("ServerCheckRequest", { requestId: "gz" }).subarray(5);
    const zipped = gzipSync(plain);
    const frame = Buffer.alloc(5 + zipped.length);
    frame[0] = 1;
    frame.writeUInt32BE(zipped.length, 1);
    zipped.copy(frame, 5);
    const r = await call(raw, grpcHeaders("/Request/request", { "grpc-encoding": "gzip" }), [frame]);
    expect(r.grpcStatus).toBe(0);
    expect(payloadsOf(r.data)[0]!.body.requestId).toBe("gz");
  });

  test("a compressed message in an unsupported encoding → UNIMPLEMENTED with grpc-accept-encoding", async () => {
    const r = await call(raw, grpcHeaders("/Request/request", { "grpc-encoding": "br" }), [nacosFrame("ServerCheckRequest", {})]);
    expect(r.grpcStatus).toBe(grpc.status.UNIMPLEMENTED);
    expect(r.headers["grpc-accept-encoding"]).toContain("gzip");
    const flagged = Buffer.from(nacosFrame("ServerCheckRequest", {}));
    flagged[0] = 1;
    const noEncoding = await call(raw, grpcHeaders("/Request/request"), [flagged]);
    expect(noEncoding.grpcStatus).toBe(grpc.status.INTERNAL);
    expect(noEncoding.grpcMessage).toContain("grpc-encoding is identity or missing");
  });
});

describe("deadlines", () => {
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

  test("grpc-js with a deadline gets DEADLINE_EXCEEDED; a malformed grpc-timeout is INTERNAL", async () => {
    const c = new NacosGrpcClient(server.address);
    try {
      await c.connect();
      const err = await c.request("SlowRequest", { ms: 3000 }, { deadlineMs: 200 }).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    } finally {
      c.close();
    }
    const bad = await call(raw, grpcHeaders("/Request/request", { "grpc-timeout": "soon" }), [nacosFrame("ServerCheckRequest", {})]);
    expect(bad.grpcStatus).toBe(grpc.status.INTERNAL);
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
