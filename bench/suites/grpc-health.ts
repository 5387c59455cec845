// Unary gRPC req/s with h2load: dist/rnacos against a node:http2 echo server in Bun, same flags, same run,
// alternating, 3 rounds each (median). Target ≥ 0.7×.
//
// The request is ServerCheckRequest, not HealthCheckRequest: Nacos (GrpcRequestAcceptor) and the bridge
// answer HealthCheckRequest with errorCode 301 unless the HTTP/2 connection registered first through the
// bi-stream, and h2load cannot open a bi-stream on its connections. ServerCheckRequest is the unary call
// a real client makes on a fresh connection and takes the same path (decode, dispatch, handler, encode).
import { h2load, type H2LoadResult } from "../lib/tools.ts";
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { expectSuccess, GRPC_H2LOAD_HEADERS, REQUEST_PATH, requestBodyFile, startGrpcEcho } from "../lib/grpc.ts";

const ROUNDS = 3;
const LOAD = { clients: 64, streams: 10, requests: 200_000, headers: GRPC_H2LOAD_HEADERS };
const TYPE = "ServerCheckRequest";
const BODY = { requestId: "bench", headers: {} };

async function load(port: number, dataFile: string, requests = LOAD.requests): Promise<H2LoadResult> {
  const r = await h2load(`http://127.0.0.1:${port}${REQUEST_PATH}`, { ...LOAD, requests, dataFile });
  if (r.errors > 0 || r.succeeded !== requests || r.status["2xx"] !== requests) {
    throw new Error(`h2load against port ${port}: ${r.succeeded}/${requests} succeeded, ${r.errors} failed or errored, status ${JSON.stringify(r.status)}`);
  }
  return r;
}

export default async function grpcHealth(): Promise<void> {
  const binary = await buildRnacos();
  const dataFile = requestBodyFile(TYPE, BODY);
  const echo = await startGrpcEcho();
  const server = await startRnacosBinary(binary);
  const ours: number[] = [];
  const base: number[] = [];
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
  } finally {
    await echo.stop();
    await server.kill();
  }
  const m = median(ours);
  const b = median(base);
  const ratio = m / b;
  recordResult({
    benchmark: "gRPC unary ServerCheckRequest",
    command: `npm run bench -- grpc-health (${command}, ${TYPE} body; median of ${ROUNDS}, alternating; every answer 2xx + one decoded resultCode 200)`,
    figure: `${Math.round(m)} req/s (runs ${ours.map((x) => Math.round(x)).join(", ")})`,
    baseline: `node:http2 echo in Bun ${Math.round(b)} req/s (runs ${base.map((x) => Math.round(x)).join(", ")})`,
    ratio: ratio.toFixed(2),
    target: "≥ 0.7×",
    met: ratio >= 0.7,
  });
}
