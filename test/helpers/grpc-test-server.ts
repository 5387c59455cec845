// A process running only the gRPC bridge, with handlers that exist for tests (echo, failures, slow
// calls, pushes). Started by startGrpcTestServer() in test/integration/grpc/support/test-server-process.ts; options come as JSON in
// GRPC_TEST_OPTIONS. Protocol:
//   stdout "READY <port>" once listening, then one "EVENT <json>" line per connected/disconnected;
//   stdin lines: "ready true|false" (answers "ACK ready ..."), "drain" (answers "DRAINED"), "stop" (answers "STOPPED", exits).
import { createInterface } from "node:readline";
import type { AccessChecker } from "../../src/auth/access.ts";
import { DomainError, type ErrorKind } from "../../src/errors.ts";
import { codecOf, createGrpcServer, GrpcError, GrpcStatus, PushError, requireFields, type GrpcServerOptions, type JsonObject } from "../../src/grpc/index.ts";
import { Payload } from "../../src/grpc/generated/nacos_grpc_service.ts";
import { createLogger, parseLogFilter, type LogFilter } from "../../src/log.ts";

type TestOptions = Partial<Omit<GrpcServerOptions, "log" | "access" | "isReady" | "now">> & { logLevel?: string };
const opts: TestOptions = JSON.parse(process.env.GRPC_TEST_OPTIONS ?? "{}");
const filter = parseLogFilter(opts.logLevel ?? "warn") as LogFilter;
const log = createLogger(filter, "grpc");

let ready = true;
/** Denies any request whose accessToken is "bad"; hands "user:<token>" to the handler otherwise. */
const access: AccessChecker = {
  check: (req) =>
    req.accessToken === "bad" ? { allowed: false, message: `token rejected for ${req.source.requestType}` } : { allowed: true, identity: req.accessToken ? `user:${req.accessToken}` : undefined },
};

const grpc = createGrpcServer({ host: "127.0.0.1", port: 0, ...opts, log, access, isReady: () => ready });
const out = (line: string) => process.stdout.write(line + "\n");

grpc.connections.on("connected", (c) => out(`EVENT ${JSON.stringify({ event: "connected", id: c.id, clientVersion: c.clientVersion, tenant: c.tenant, appName: c.appName, labels: c.labels, clientIp: c.clientIp })}`));
grpc.connections.on("disconnected", (c, reason) => out(`EVENT ${JSON.stringify({ event: "disconnected", id: c.id, reason })}`));

const h = grpc.handlers;
h.register("EchoRequest", (req, ctx) => ({
  type: "EchoResponse",
  body: {
    echo: req,
    context: {
      connectionId: ctx.connectionId,
      clientIp: ctx.clientIp,
      remoteIp: ctx.remoteIp,
      headers: ctx.headers,
      identity: ctx.identity ?? null,
      connection: ctx.connection ? { clientVersion: ctx.connection.clientVersion, tenant: ctx.connection.tenant, labels: ctx.connection.labels, appName: ctx.connection.appName, abilities: ctx.connection.abilities ?? null } : null,
    },
  },
}));
h.register("FailRequest", (req) => {
  if (req.kind === "plain") throw new Error("plain failure");
  throw new DomainError((req.kind as ErrorKind) ?? "invalid", String(req.message ?? "failed"), typeof req.code === "number" ? req.code : undefined);
});
h.register("TypedFailRequest", () => {
  throw new DomainError("not_found", "no such thing", 20404);
}, { errorResponseType: "TypedFailResponse" });
h.register("SoftFailRequest", () => ({ type: "SoftFailResponse", body: { extra: 1 }, error: { code: 300, message: "config data not exist" } }));
h.register("ValidateRequest", (req) => {
  const r = requireFields(req, ["dataId", "group"]);
  return { type: "ValidateResponse", body: { dataId: r.dataId } };
});
h.register("SlowRequest", async (req, ctx) => {
  const ms = Number(req.ms ?? 1000);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      out(`EVENT ${JSON.stringify({ event: "aborted", requestId: ctx.requestId, reason: String((ctx.signal.reason as Error)?.message ?? ctx.signal.reason) })}`);
      resolve();
    });
  });
  return { type: "SlowResponse", body: { waited: ms } };
});
/** Pushes `count` TestPushRequest to the caller's connection (or `target`) and reports each outcome in order. */
h.register("PushMeRequest", async (req, ctx) => {
  const count = Number(req.count ?? 1);
  const target = typeof req.target === "string" ? req.target : ctx.connectionId;
  const options = { timeoutMs: req.timeoutMs as number | undefined, retries: req.retries as number | undefined };
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      grpc.push(target, "TestPushRequest", { seq: i, data: req.data ?? null }, options).then(
        (ack) => ({ ok: true, seq: i, ack }),
        (err: Error) => ({ ok: false, seq: i, reason: err instanceof PushError ? err.reason : "other", message: err.message }),
      ),
    ),
  );
  return { type: "PushMeResponse", body: { results, elapsedMs: Date.now() - started } };
});
/**
 * One TestPushRequest to every other registered connection at once (bench/suites/grpc-push-fanout.ts):
 * each push's ack latency counted from the start of the fan-out, and the time until the last ack.
 */
h.register("PushAllRequest", async (_req, ctx) => {
  const targets = grpc.connections.list().filter((c) => c.id !== ctx.connectionId);
  const started = performance.now();
  const latencies: number[] = [];
  const failures: string[] = [];
  await Promise.all(
    targets.map((c) =>
      grpc.push(c.id, "TestPushRequest", { fanout: true }).then(
        () => void latencies.push(performance.now() - started),
        (err: Error) => void failures.push(err instanceof PushError ? err.reason : err.message),
      ),
    ),
  );
  return { type: "PushAllResponse", body: { targets: targets.length, latenciesMs: latencies, failures, totalMs: performance.now() - started } };
});
/** Connection registry as the console would see it. */
h.register("ConnectionsRequest", () => ({ type: "ConnectionsResponse", body: { count: grpc.connections.count, connections: grpc.connections.list() as unknown as JsonObject[] } }));

// Extra methods on the same port, as the cluster channel adds them (generic unary + bidi on decoded messages).
const payloadCodec = codecOf(Payload);
grpc.addMethod("/rnacos.test.Echo/Unary", {
  kind: "unary",
  request: payloadCodec,
  response: payloadCodec,
  handle: (req: Payload) => {
    if (req.metadata?.type === "fail") throw new GrpcError(GrpcStatus.FAILED_PRECONDITION, "asked to fail");
    return { metadata: { type: `echo:${req.metadata?.type ?? ""}`, clientIp: "", headers: {} }, body: req.body };
  },
});
grpc.addMethod("/rnacos.test.Echo/Stream", {
  kind: "bidi",
  request: payloadCodec,
  response: payloadCodec,
  open: (stream) => ({
    onMessage: (m: Payload) => void stream.send({ metadata: { type: `echo:${m.metadata?.type ?? ""}`, clientIp: "", headers: {} }, body: m.body }).catch(() => {}),
    onHalfClose: () => stream.end(),
  }),
});

// A slow unary method that needs no Nacos connection: the request is the number of ms to wait, as text.
const rawBytes = { decode: (b: Uint8Array) => b, encode: (b: Uint8Array) => b };
grpc.addMethod("/rnacos.test.Slow/Unary", {
  kind: "unary",
  request: rawBytes,
  response: rawBytes,
  handle: async (req: Uint8Array) => {
    const ms = Number(new TextDecoder().decode(req));
    await Bun.sleep(ms);
    return new TextEncoder().encode(`slept ${ms}`);
  },
});

await grpc.start().catch((err: Error) => {
  process.stderr.write(`START FAILED ${err.message}\n`);
  process.exit(2);
});
out(`READY ${grpc.port}`);

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === "ready") {
    ready = arg === "true";
    out(`ACK ready ${arg}`);
  } else if (cmd === "drain") {
    await grpc.drain();
    out("DRAINED");
  } else if (cmd === "stop") {
    await grpc.stop();
    out("STOPPED");
    process.exit(0);
  }
}
