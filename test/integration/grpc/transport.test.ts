// The HTTP/2 and gRPC layer under the Nacos protocol, against the real rnacos process: framing across
// DATA frames, status and trailers, trailers-only errors, compression, size limits, PING, SETTINGS.
// Raw node:http2 where a real gRPC client would hide the detail, grpc-js where the point is "a real
// client gets the right status". (Deadlines need a slow handler: handlers.test.ts.)
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import type { ClientHttp2Session } from "node:http2";
import { gzipSync } from "node:zlib";
import net from "node:net";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { call, connect, grpcHeaders, nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { startRealServer, type RealServer } from "./support/real-server.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

const MAX_MESSAGE = 64 * 1024;
let server: RealServer;
let raw: ClientHttp2Session;

beforeAll(async () => {
  server = await startRealServer({ RNACOS_GRPC_MAX_MESSAGE_SIZE: String(MAX_MESSAGE) });
  raw = await connect(server.grpcPort);
});
afterAll(async () => {
  raw?.destroy();
  await server?.dispose();
});

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
    const session = await connect(server.grpcPort);
    try {
      const stream = session.request(grpcHeaders("/BiRequestStream/requestBiStream"));
      const setup = nacosFrame("ConnectionSetupRequest", { clientVersion: "merged-frames", labels: { AppName: "m" } });
      const ack = nacosFrame("ClientDetectionResponse", { requestId: "nobody-waits", resultCode: 200 });
      const again = nacosFrame("ConnectionSetupRequest", { clientVersion: "ignored" });
      stream.write(Buffer.concat([setup, ack, again.subarray(0, 7)]));
      stream.write(again.subarray(7));
      const line = await server.waitForLog(/connection registered .*version=merged-frames/);
      expect(line).toContain("app=m");
      const r = await call(session, grpcHeaders("/Request/request"), [nacosFrame("HealthCheckRequest", {})]);
      expect(payloadsOf(r.data)[0]!.body.success).toBe(true);
      expect(server.logLines(/version=ignored/)).toEqual([]);
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

  test("bytes that are not HTTP/2 (an HTTP/1.1 request, garbage) get a GOAWAY; the server keeps serving", async () => {
    for (const junk of ["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\x00\x01garbage"]) {
      const reply = await new Promise<string>((resolve) => {
        const socket = net.connect(server.grpcPort, "127.0.0.1", () => socket.write(junk));
        let got = "";
        socket.on("data", (d) => (got += d.toString("latin1")));
        socket.on("close", () => resolve(got));
        socket.on("error", () => resolve(got));
      });
      expect(reply).toContain("invalid connection preface");
    }
    const r = await call(raw, grpcHeaders("/Request/request"), [nacosFrame("ServerCheckRequest", {})]);
    expect(r.grpcStatus).toBe(0);
  });
});

describe("limits", () => {
  test("a message over the limit → RESOURCE_EXHAUSTED (grpc-js), and the connection keeps working", async () => {
    const c = new NacosGrpcClient(server.address, { channelOptions: { "grpc.max_send_message_length": -1 } });
    try {
      await c.connect();
      const err = await c.request("HealthCheckRequest", { big: "x".repeat(MAX_MESSAGE + 10) }).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((err as grpc.ServiceError).details).toContain(`vs. ${MAX_MESSAGE}`);
      const ok = await c.request("HealthCheckRequest", { small: "x".repeat(1000) });
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
    const session = await connect(server.grpcPort);
    try {
      // The SETTINGS frame may arrive after "connect"; until then remoteSettings shows the defaults.
      const deadline = Date.now() + 2000;
      while (session.remoteSettings.maxConcurrentStreams !== 1000 && Date.now() < deadline) await Bun.sleep(5);
      expect(session.remoteSettings.maxConcurrentStreams).toBe(1000);
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
      const r = await c.request("HealthCheckRequest", { requestId: "zipped", text: "zip ".repeat(5000) });
      expect(r.body).toMatchObject({ success: true, requestId: "zipped" });
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
    // a compressing client learns what else it may use; an uncompressed call's answer does not carry it
    expect(r.headers["grpc-accept-encoding"]).toBe("identity,gzip,deflate");
    const plainCall = await call(raw, grpcHeaders("/Request/request"), [nacosFrame("ServerCheckRequest", {})]);
    expect(plainCall.headers["grpc-accept-encoding"]).toBeUndefined();
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

test("a malformed grpc-timeout is INTERNAL", async () => {
  const bad = await call(raw, grpcHeaders("/Request/request", { "grpc-timeout": "soon" }), [nacosFrame("ServerCheckRequest", {})]);
  expect(bad.grpcStatus).toBe(grpc.status.INTERNAL);
});
