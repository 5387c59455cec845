// gRPC ConfigQueryRequest (1 KB config) on rnacos against a raw node:http2 server echoing each unary
// call, both driven by the same closed-loop generator (bench/lib/nacos-grpc-load.ts: 8 HTTP/2
// connections × 16 calls in flight). h2load cannot be used: Nacos requires each HTTP/2 connection to
// register over its bi-stream before it may query. Adjacent pairs, alternating order, median of the
// pair ratios. Target ≥ 0.7×.
import { join } from "node:path";
import { alternatingPairs } from "../lib/pairs.ts";
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { BENCH_DIR, buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { freePort, waitFor } from "../../test/helpers/server.ts";

const ROUNDS = 5;
const CONNECTIONS = 8;
const INFLIGHT = 16;
const SECONDS = 4;

interface LoadResult {
  callsPerSecond: number;
  errors: number;
}

async function load(port: number, mode: "nacos" | "echo", requestType = "ConfigQueryRequest"): Promise<LoadResult> {
  const proc = Bun.spawn([process.execPath, join(BENCH_DIR, "lib", "nacos-grpc-load.ts"), String(port), String(CONNECTIONS), String(INFLIGHT), String(SECONDS), mode], {
    env: { ...process.env, DATA_ID: "hot.properties", REQUEST_TYPE: requestType },
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`load generator failed: ${out}`);
  return JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
}

async function startEcho(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = Bun.spawn([process.execPath, join(BENCH_DIR, "baselines", "config-http2-echo.ts")], { env: { ...process.env, PORT: String(port) }, stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  await waitFor("the echo baseline", async () => ((await reader.read()).value ? true : undefined));
  return {
    port,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

export default async function configGrpcQuery(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const echo = await startEcho();
  try {
    const res = await fetch(`${server.url}/nacos/v1/cs/configs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ dataId: "hot.properties", group: "DEFAULT_GROUP", content: "k=".padEnd(1024, "v") }).toString(),
    });
    if ((await res.text()) !== "true") throw new Error("could not publish the hot config");
    const measureOurs = async () => {
      const r = await load(server.grpcPort, "nacos");
      if (r.errors > 0) throw new Error(`${r.errors} ConfigQueryRequest calls failed`);
      return r.callsPerSecond;
    };
    const measureBase = async () => (await load(echo.port, "echo")).callsPerSecond;
    // For the reader: HealthCheckRequest through the same bridge (no domain work) is the bridge's own ceiling.
    const measureHealth = async () => (await load(server.grpcPort, "nacos", "HealthCheckRequest")).callsPerSecond;
    const { ours, base, extra: health, ratio } = await alternatingPairs(ROUNDS, measureBase, measureOurs, measureHealth);
    recordResult({
      benchmark: "gRPC ConfigQueryRequest",
      command: `npm run bench -- config-grpc-query (${CONNECTIONS} conns × ${INFLIGHT} in flight, ${SECONDS} s, ${ROUNDS} adjacent pairs, median of pair ratios)`,
      figure: `${Math.round(median(ours))} calls/s (rounds ${ours.map(Math.round).join(", ")})`,
      baseline: `node:http2 echo ${Math.round(median(base))} calls/s (rounds ${base.map(Math.round).join(", ")}); HealthCheckRequest on the same bridge ${Math.round(median(health))} calls/s`,
      ratio: ratio.toFixed(2),
      target: "≥ 0.7×",
      met: ratio >= 0.7,
    });
  } finally {
    await echo.stop();
    await server.kill();
  }
}
