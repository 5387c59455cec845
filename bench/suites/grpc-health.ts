// Unary gRPC req/s with h2load: dist/rnacos against a node:http2 echo server in Bun (bench/baselines/
// grpc-echo.ts), same flags, alternating, 5 rounds; the figure is the median of the rounds' ratios.
// Target ≥ 0.7×.
//
// h2load sends ServerCheckRequest, not HealthCheckRequest: Nacos (GrpcRequestAcceptor) and the bridge
// answer HealthCheckRequest with errorCode 301 unless the HTTP/2 connection registered first through the
// bi-stream, which h2load cannot open. ServerCheckRequest is the unary call a real client makes on a
// fresh connection and takes the same path (decode, dispatch, handler, encode). A second row checks that
// substitution: HealthCheckRequest on registered connections against ServerCheckRequest on the same
// connections, both driven by bench/clients/unary-load-process.ts.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { h2load, type H2LoadResult } from "../lib/tools.ts";
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { BENCH_DIR, buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { expectSuccess, GRPC_H2LOAD_HEADERS, REQUEST_PATH, requestBodyFile, startGrpcEcho } from "../lib/grpc.ts";

const ROUNDS = 5;
const LOAD = { clients: 64, streams: 10, requests: 200_000, headers: GRPC_H2LOAD_HEADERS };
const TYPE = "ServerCheckRequest";
const BODY = { requestId: "bench", headers: {} };
const REGISTERED = { connections: 16, streams: 10, calls: 60_000, rounds: 3 };

async function load(port: number, dataFile: string, requests = LOAD.requests): Promise<H2LoadResult> {
  const r = await h2load(`http://127.0.0.1:${port}${REQUEST_PATH}`, { ...LOAD, requests, dataFile });
  if (r.errors > 0 || r.succeeded !== requests || r.status["2xx"] !== requests) {
    throw new Error(`h2load against port ${port}: ${r.succeeded}/${requests} succeeded, ${r.errors} failed or errored, status ${JSON.stringify(r.status)}`);
  }
  return r;
}

/** req/s of `type` from registered connections (every answer checked for resultCode 200). */
async function registeredLoad(port: number, type: string): Promise<number> {
  const { connections, streams, calls } = REGISTERED;
  const proc = Bun.spawn([process.execPath, join(BENCH_DIR, "clients", "unary-load-process.ts"), String(port), type, String(connections), String(streams), String(calls)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const m = /^RESULT (\S+) (\d+) (\d+)$/m.exec(out);
  if (!m || Number(m[2]) !== calls) throw new Error(`${type} from registered connections: ${out.trim() || `exit ${proc.exitCode}`}`);
  return Number(m[1]);
}

export default async function grpcHealth(): Promise<void> {
  const binary = await buildRnacos();
  const dataFile = requestBodyFile(TYPE, BODY);
  const echo = await startGrpcEcho();
  const server = await startRnacosBinary(binary);
  const ours: number[] = [];
  const base: number[] = [];
  const health: number[] = [];
  const check: number[] = [];
  let command = "";
  try {
    await expectSuccess(echo.port, TYPE, BODY);
    const answer = await expectSuccess(server.grpcPort, TYPE, BODY);
    if (answer.type !== "ServerCheckResponse") throw new Error(`rnacos answered ${answer.type}`);
    await load(echo.port, dataFile, 20_000); // warm-up, not counted
    await load(server.grpcPort, dataFile, 20_000);
    for (let i = 0; i < ROUNDS; i++) {
      base.push((await load(echo.port, dataFile)).requestsPerSecond);
      const r = await load(server.grpcPort, dataFile);
      ours.push(r.requestsPerSecond);
      command = r.command;
    }
    for (let i = 0; i < REGISTERED.rounds; i++) {
      health.push(await registeredLoad(server.grpcPort, "HealthCheckRequest"));
      check.push(await registeredLoad(server.grpcPort, TYPE));
    }
  } finally {
    await echo.stop();
    await server.kill();
    rmSync(dirname(dataFile), { recursive: true, force: true });
  }
  const ratios = ours.map((o, i) => o / base[i]!);
  const ratio = median(ratios);
  recordResult({
    benchmark: "gRPC unary ServerCheckRequest (h2load)",
    command: `npm run bench -- grpc-health (${command}, ${TYPE} body; ${ROUNDS} rounds alternating with the baseline, median of per-round ratios; every answer 2xx, one decoded: resultCode 200)`,
    figure: `${Math.round(median(ours))} req/s (runs ${ours.map((x) => Math.round(x)).join(", ")})`,
    baseline: `node:http2 echo in Bun ${Math.round(median(base))} req/s (runs ${base.map((x) => Math.round(x)).join(", ")})`,
    ratio: `${ratio.toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(", ")})`,
    target: "≥ 0.7×",
    met: ratio >= 0.7,
  });
  const hc = median(health);
  const sc = median(check);
  recordResult({
    benchmark: "gRPC unary HealthCheckRequest, registered connections",
    command: `npm run bench -- grpc-health (bench/clients/unary-load-process.ts: ${REGISTERED.connections} registered node:http2 connections × ${REGISTERED.streams} calls in flight, ${REGISTERED.calls} calls, every answer resultCode 200; ${REGISTERED.rounds} rounds alternating, medians; the load client shares the 2 cores)`,
    figure: `${Math.round(hc)} req/s (runs ${health.map((x) => Math.round(x)).join(", ")})`,
    baseline: `ServerCheckRequest, same client and connections ${Math.round(sc)} req/s (runs ${check.map((x) => Math.round(x)).join(", ")})`,
    ratio: (hc / sc).toFixed(2),
    target: "none (checks that h2load's ServerCheckRequest stands for HealthCheckRequest)",
  });
}
