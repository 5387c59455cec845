// One change, 10,000 listeners of that key: the time from the publish request to each listener's
// notification, p50/p99/max. Long-polls: 10,000 raw HTTP/1.1 connections, each holding a listener POST
// (distinct X-Forwarded-For, so the console listener query can count them). gRPC: 10,000 HTTP/2
// connections, each registered (ServerCheck, bi-stream, ConnectionSetup) and listening with
// ConfigBatchListenRequest; the notification is the ConfigChangeNotifyRequest push, acked.
// Target: p99 ≤ 1 s for all to be told.
import http2, { type ClientHttp2Session } from "node:http2";
import type { Socket } from "bun";
import { recordResult } from "../lib/results.ts";
import { percentile } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { waitFor, type ServerProcess } from "../../test/helpers/server.ts";
import { encodeFrame } from "../../src/grpc/framing.ts";
import { encodePayload, makePayload } from "../../src/grpc/payload.ts";

const LISTENERS = Number(process.env.CONFIG_LISTENERS ?? 10_000);
const md5 = (s: string) => new Bun.CryptoHasher("md5").update(s, "utf8").digest("hex");

async function publish(server: ServerProcess, content: string): Promise<void> {
  const res = await fetch(`${server.url}/nacos/v1/cs/configs`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ dataId: "watched", group: "DEFAULT_GROUP", content }).toString(),
  });
  if ((await res.text()) !== "true") throw new Error("publish failed");
}

async function listenerCount(server: ServerProcess): Promise<number> {
  const res = await fetch(`${server.url}/nacos/v1/cs/configs/listener?dataId=watched&group=DEFAULT_GROUP`);
  return Object.keys(((await res.json()) as { lisentersGroupkeyStatus: Record<string, string> }).lisentersGroupkeyStatus).length;
}

function summary(latencies: number[]): string {
  return `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`;
}

async function longPollListeners(server: ServerProcess): Promise<number[]> {
  await publish(server, "lp v1");
  const body = new URLSearchParams({ "Listening-Configs": `watched\u0002DEFAULT_GROUP\u0002${md5("lp v1")}\u0001` }).toString();
  const arrived: number[] = [];
  let start = 0;
  const sockets: Socket<undefined>[] = [];
  for (let batch = 0; batch < LISTENERS; batch += 500) {
    const opened = Array.from({ length: Math.min(500, LISTENERS - batch) }, async (_, j) => {
      const n = batch + j;
      const request =
        `POST /nacos/v1/cs/configs/listener HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Long-Pulling-Timeout: 30000\r\nX-Forwarded-For: 10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      let answered = false;
      const socket = await Bun.connect({
        hostname: "127.0.0.1",
        port: server.httpPort,
        socket: {
          data() {
            if (answered) return;
            answered = true;
            arrived.push(performance.now() - start);
          },
        },
      });
      socket.write(request);
      sockets.push(socket);
    });
    await Promise.all(opened);
  }
  await waitFor(`${LISTENERS} held long-polls`, async () => ((await listenerCount(server)) === LISTENERS ? true : undefined), 60_000, 200);
  start = performance.now();
  await publish(server, "lp v2");
  await waitFor(`all ${LISTENERS} long-polls answered`, () => (arrived.length === LISTENERS ? true : undefined), 30_000, 10);
  for (const s of sockets) s.end();
  return arrived;
}

const HEADERS = { ":method": "POST", ":path": "/Request/request", "content-type": "application/grpc", te: "trailers" };
const frame = (type: string, body: Record<string, unknown>) => Buffer.from(encodeFrame(encodePayload(makePayload(type, { headers: {}, ...body }, {}, "127.0.0.1"))));

function unary(session: ClientHttp2Session, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request(HEADERS);
    const chunks: Buffer[] = [];
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("error", reject);
    stream.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.end(body);
  });
}

async function grpcListeners(server: ServerProcess): Promise<number[]> {
  await publish(server, "grpc v1");
  const listen = frame("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "watched", group: "DEFAULT_GROUP", tenant: "", md5: md5("grpc v1") }] });
  const arrived: number[] = [];
  let start = 0;
  const sessions: ClientHttp2Session[] = [];
  const connectOne = async () => {
    const session = http2.connect(`http://127.0.0.1:${server.grpcPort}`);
    session.on("error", () => {});
    sessions.push(session);
    await unary(session, frame("ServerCheckRequest", {}));
    const bi = session.request({ ...HEADERS, ":path": "/BiRequestStream/requestBiStream" });
    bi.on("error", () => {});
    let told = false;
    bi.on("data", (d: Buffer) => {
      const text = d.toString("utf8");
      if (!text.includes("ConfigChangeNotifyRequest")) return;
      if (!told) {
        told = true;
        arrived.push(performance.now() - start);
      }
      const id = /"requestId":"([^"]+)"/.exec(text)?.[1];
      bi.write(frame("ConfigChangeNotifyResponse", { requestId: id, resultCode: 200, errorCode: 0, success: true }));
    });
    bi.write(frame("ConnectionSetupRequest", { clientVersion: "Nacos-Bench-Client:v2.0.0", tenant: "", labels: { source: "sdk", module: "config" }, module: "internal" }));
    for (;;) {
      if ((await unary(session, frame("HealthCheckRequest", {}))).includes('"success":true')) break;
      await Bun.sleep(10);
    }
    const answer = await unary(session, listen);
    if (!answer.includes('"resultCode":200')) throw new Error(`listen failed: ${answer}`);
  };
  for (let batch = 0; batch < LISTENERS; batch += 250) await Promise.all(Array.from({ length: Math.min(250, LISTENERS - batch) }, connectOne));
  start = performance.now();
  await publish(server, "grpc v2");
  await waitFor(`all ${LISTENERS} gRPC listeners pushed`, () => (arrived.length === LISTENERS ? true : undefined), 60_000, 10);
  for (const s of sessions) s.destroy();
  return arrived;
}

export default async function configListeners(): Promise<void> {
  const binary = await buildRnacos();
  for (const [kind, run] of [
    ["long-poll", longPollListeners],
    ["gRPC", grpcListeners],
  ] as const) {
    const server = await startRnacosBinary(binary, { RNACOS_GRPC_MAX_CONNECTIONS: String(LISTENERS + 100) });
    try {
      const started = performance.now();
      const latencies = await run(server);
      const p99 = percentile(latencies, 99);
      console.log(`${kind}: ${LISTENERS} listeners set up and notified in ${Math.round(performance.now() - started)} ms`);
      recordResult({
        benchmark: `config change → ${LISTENERS} ${kind} listeners`,
        command: `npm run bench -- config-listeners (${LISTENERS} ${kind} listeners of one key, time from publish request to each notification)`,
        figure: summary(latencies),
        baseline: "target p99 1000 ms",
        ratio: (p99 / 1000).toFixed(2),
        target: "all notified, p99 ≤ 1 s",
        met: latencies.length === LISTENERS && p99 <= 1000,
      });
    } finally {
      await server.kill();
    }
  }
}
