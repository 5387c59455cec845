// A closed-loop load generator for unary Nacos gRPC calls, run as its own process:
//   bun bench/lib/nacos-grpc-load.ts PORT CONNECTIONS INFLIGHT SECONDS nacos|echo
// Each connection does what an SDK does first (ServerCheckRequest, bi-stream, ConnectionSetupRequest),
// unless the target is the echo baseline, then keeps INFLIGHT ConfigQueryRequest calls going for SECONDS.
// Prints one JSON line: {calls, seconds, callsPerSecond, errors}.
import http2, { type ClientHttp2Session } from "node:http2";
import { encodeFrame } from "../../src/grpc/framing.ts";
import { encodePayload, makePayload } from "../../src/grpc/payload.ts";

const [port, connections, inflight, seconds, mode] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), process.argv[6]];
const HEADERS = { ":method": "POST", ":path": "/Request/request", "content-type": "application/grpc", te: "trailers" };
const frame = (type: string, body: Record<string, unknown>) => Buffer.from(encodeFrame(encodePayload(makePayload(type, { headers: {}, ...body }, {}, "127.0.0.1"))));
const query = process.env.REQUEST_TYPE === "HealthCheckRequest" ? frame("HealthCheckRequest", {}) : frame("ConfigQueryRequest", { dataId: process.env.DATA_ID ?? "hot.yaml", group: "DEFAULT_GROUP", tenant: "" });

function unary(session: ClientHttp2Session, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(HEADERS);
    const chunks: Buffer[] = [];
    let status: string | undefined;
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("trailers", (t) => (status = String(t["grpc-status"])));
    stream.on("error", reject);
    stream.on("close", () => (status === "0" ? resolve(Buffer.concat(chunks)) : reject(new Error(`grpc-status ${status}`))));
    stream.end(body);
  });
}

async function open(): Promise<ClientHttp2Session> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  if (mode === "nacos") {
    await unary(session, frame("ServerCheckRequest", {}));
    const bi = session.request({ ...HEADERS, ":path": "/BiRequestStream/requestBiStream" });
    bi.on("data", () => {});
    bi.on("error", () => {});
    bi.write(frame("ConnectionSetupRequest", { clientVersion: "Nacos-Bench-Client:v2.0.0", tenant: "", labels: { source: "sdk", module: "config" }, module: "internal" }));
    // registered once a health check succeeds
    for (;;) {
      const r = await unary(session, frame("HealthCheckRequest", {}));
      if (r.toString("utf8").includes('"success":true')) break;
      await Bun.sleep(5);
    }
  }
  return session;
}

const sessions = await Promise.all(Array.from({ length: connections }, () => open()));
// Nacos answers a found config with "success":true; anything else counts as an error.
const ok = (b: Buffer) => mode !== "nacos" || b.includes("\"resultCode\":200");
let calls = 0;
let errors = 0;
let running = true;
const started = performance.now();
setTimeout(() => (running = false), seconds * 1000);
await Promise.all(
  sessions.flatMap((s) =>
    Array.from({ length: inflight }, async () => {
      while (running) {
        try {
          if (ok(await unary(s, query))) calls++;
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  ),
);
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ calls, seconds: elapsed, callsPerSecond: calls / elapsed, errors }));
for (const s of sessions) s.close();
process.exit(0);
