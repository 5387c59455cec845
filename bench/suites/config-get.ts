// GET /nacos/v1/cs/configs on one hot 1 KB config against bare Bun.serve answering "OK", 64 connections.
// The machine is shared and noisy, so the two run in adjacent pairs (order alternating) for several
// rounds, and the figure is the median of the per-pair ratios. Target ≥ 0.75×.
import { wrk } from "../lib/tools.ts";
import { alternatingPairs } from "../lib/pairs.ts";
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { buildRnacos, startBaseline, startRnacosBinary } from "../lib/processes.ts";

const ROUNDS = 7;

export default async function configGet(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const bare = await startBaseline("bare-bun-serve");
  try {
    const content = "k=".padEnd(1024, "v");
    const res = await fetch(`${server.url}/nacos/v1/cs/configs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ dataId: "hot.properties", group: "DEFAULT_GROUP", content }).toString(),
    });
    if ((await res.text()) !== "true") throw new Error("could not publish the hot config");
    const url = `${server.url}/nacos/v1/cs/configs?dataId=hot.properties&group=DEFAULT_GROUP`;
    const opts = { connections: 64, seconds: 3 };
    await wrk(url, { ...opts, seconds: 2 }); // warm-up
    let p99 = 0;
    const measureOurs = async () => {
      const r = await wrk(url, opts);
      if (r.errors > 0) throw new Error(`rnacos answered ${r.errors} requests with errors`);
      p99 = Math.max(p99, r.latencyP99Ms ?? 0);
      return r.requestsPerSecond;
    };
    const measureBase = async () => (await wrk(`${bare.url}/`, opts)).requestsPerSecond;
    // For the reader: the same server's cheapest route (readiness, "OK") shows what the process pays per request.
    const measureHealth = async () => (await wrk(`${server.url}/nacos/v1/console/health/readiness`, opts)).requestsPerSecond;
    const { ours, base, extra: health, ratio } = await alternatingPairs(ROUNDS, measureBase, measureOurs, measureHealth);
    recordResult({
      benchmark: "config GET hot key (v1)",
      command: "npm run bench -- config-get (wrk -t2 -c64 -d3s, 1 KB config, 7 adjacent pairs, median of pair ratios)",
      figure: `${Math.round(median(ours))} req/s (rounds ${ours.map(Math.round).join(", ")}; worst p99 ${p99.toFixed(2)} ms)`,
      baseline: `bare Bun.serve ${Math.round(median(base))} req/s (rounds ${base.map(Math.round).join(", ")}); same server's readiness ${Math.round(median(health))} req/s`,
      ratio: ratio.toFixed(2),
      target: "≥ 0.75×",
      met: ratio >= 0.75,
    });
  } finally {
    await bare.stop();
    await server.kill();
  }
}
