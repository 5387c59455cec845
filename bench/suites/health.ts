// GET readiness on rnacos against bare Bun.serve, 64 connections, same run. Target ≥ 0.8×.
import { wrk } from "../lib/tools.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startBaseline, startRnacosBinary } from "../lib/processes.ts";

export default async function health(): Promise<void> {
  const binary = await buildRnacos();
  const opts = { connections: 64, seconds: 10 };
  const bare = await startBaseline("bare-bun-serve");
  const baseline = await wrk(`${bare.url}/`, opts).finally(() => bare.stop());
  const server = await startRnacosBinary(binary);
  const ours = await wrk(`${server.url}/nacos/v1/console/health/readiness`, opts).finally(() => server.kill());
  if (ours.errors > 0) throw new Error(`rnacos answered ${ours.errors} requests with errors`);
  const ratio = ours.requestsPerSecond / baseline.requestsPerSecond;
  recordResult({
    benchmark: "health GET readiness",
    command: "npm run bench -- health (wrk -t2 -c64 -d10s)",
    figure: `${Math.round(ours.requestsPerSecond)} req/s (p99 ${ours.latencyP99Ms?.toFixed(2)} ms)`,
    baseline: `bare Bun.serve ${Math.round(baseline.requestsPerSecond)} req/s`,
    ratio: ratio.toFixed(2),
    target: "≥ 0.8×",
    met: ratio >= 0.8,
  });
}
