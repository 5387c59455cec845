// One push to 1,000 registered connections at once, all acks back: p50/p99 of the ack latency (from the
// start of the fan-out) and the time until the last ack. 1 warm-up round, then 5 (medians reported).
//
// rnacos has no domain push yet, so this runs the bridge alone (test/helpers/grpc-test-server.ts, the
// process the push tests use) and starts the fan-out through its test-only PushAllRequest handler: it
// measures the bridge's push path (PushChannel, bi-stream writes, ack matching), not a domain's.
// The 1,000 connections are node:http2 clients in 2 other processes that ack every push.
import { recordResult } from "../lib/results.ts";
import { median, percentile } from "../lib/machine.ts";
import { startClientFleet } from "../lib/client-processes.ts";
import { startGrpcTestServer } from "../../test/integration/grpc/support/test-server-process.ts";
import { NacosGrpcClient } from "../../test/helpers/grpc-client.ts";

const CONNECTIONS = 1000;
const ROUNDS = 5;

interface Round {
  p50: number;
  p99: number;
  total: number;
}

export default async function grpcPushFanout(): Promise<void> {
  const server = await startGrpcTestServer({ maxConnections: CONNECTIONS + 10, logLevel: "warn" });
  let fleet;
  const trigger = new NacosGrpcClient(server.address);
  try {
    fleet = await startClientFleet(server.port, CONNECTIONS, 2, 120_000);
    await trigger.connect();
    const rounds: Round[] = [];
    for (let i = 0; i <= ROUNDS; i++) {
      const r = await trigger.request("PushAllRequest", {}, { deadlineMs: 60_000 });
      const { targets, latenciesMs, failures, totalMs } = r.body as { targets: number; latenciesMs: number[]; failures: string[]; totalMs: number };
      if (targets !== CONNECTIONS || latenciesMs.length !== CONNECTIONS || failures.length > 0) {
        throw new Error(`round ${i}: ${latenciesMs.length}/${targets} acks, failures: ${failures.slice(0, 5).join(", ")}`);
      }
      if (i > 0) rounds.push({ p50: percentile(latenciesMs, 50), p99: percentile(latenciesMs, 99), total: totalMs });
    }
    const m = (pick: (r: Round) => number) => median(rounds.map(pick));
    recordResult({
      benchmark: "gRPC push fan-out to 1,000 connections",
      command: `npm run bench -- grpc-push-fanout (bridge-only process with a test-only PushAllRequest handler: 1 push to each of ${CONNECTIONS} node:http2 connections in 2 client processes, all acked; median of ${ROUNDS} rounds after 1 warm-up)`,
      figure: `ack p50 ${m((r) => r.p50).toFixed(1)} ms, p99 ${m((r) => r.p99).toFixed(1)} ms, all acked in ${m((r) => r.total).toFixed(1)} ms (totals ${rounds.map((r) => r.total.toFixed(0)).join(", ")} ms)`,
      baseline: "—",
      ratio: "—",
      target: "none set (figure asked for)",
    });
  } finally {
    trigger.close();
    await fleet?.stop();
    await server.kill();
  }
}
