// A lone writer (one connection, one write at a time) on one node: its latency against what it
// cannot avoid, one fsync of a small write on the same disk plus one HTTP round trip to the same
// server. Target: p50 ≤ p50 fsync + p50 round trip. Two rows: the Raft engine alone (in this
// process, a one-row command) and a config publish over HTTP (engine + HTTP + config domain).
// Each first writes WARM_UP times: a WAL file still growing costs a metadata flush per fsync, which
// a long-running node pays only once, so steady state is what is measured.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { recordResult } from "../lib/results.ts";
import { percentile } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { publish } from "../../test/helpers/config-writer.ts";
import { startEngine } from "../lib/engine.ts";

const WARM_UP = 5000;

async function timeEach(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export default async function raftLoneWriter(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  try {
    // fsync of a small append, in the server's own data dir (same file system).
    const fd = openSync(join(server.dataDir, "fsync-probe"), "a");
    const fsyncs = await timeEach(500, () => {
      writeSync(fd, "x".repeat(128));
      fsyncSync(fd);
    });
    closeSync(fd);
    const rtts = await timeEach(500, () => fetch(`${server.url}/nacos/v1/console/health/readiness`).then((r) => r.text()));
    for (let i = 0; i < WARM_UP; i++) await publish(server.url, `warm-${i % 50}`, `value-${i}`);
    const writes = await timeEach(500, async (i) => {
      if (!(await publish(server.url, `lone-${i % 50}`, `value-${i}`))) throw new Error("publish failed");
    });
    const engine = await startEngine();
    for (let i = 0; i < WARM_UP; i++) await engine.propose(`warm-${i % 50}`, `value-${i}`);
    const engineWrites = await timeEach(500, (i) => engine.propose(`lone-${i % 50}`, `value-${i}`)).finally(() => engine.close());
    const budgetMs = percentile(fsyncs, 50) + percentile(rtts, 50);
    const budget = `fsync p50 ${percentile(fsyncs, 50).toFixed(3)} ms + round trip p50 ${percentile(rtts, 50).toFixed(3)} ms = ${budgetMs.toFixed(3)} ms`;
    const row = (benchmark: string, command: string, latencies: number[]) => {
      const p50 = percentile(latencies, 50);
      recordResult({
        benchmark,
        command,
        figure: `p50 ${p50.toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms`,
        baseline: budget,
        ratio: (p50 / budgetMs).toFixed(2),
        target: "≤ 1× (fsync + round trip)",
        met: p50 <= budgetMs,
      });
    };
    row("lone writer latency, Raft engine alone (one node, in process)", "npm run bench -- raft-lone-writer (500 sequential proposals of a one-row command, after 5000 warm-up writes)", engineWrites);
    row("lone writer latency, config publish over HTTP (one node)", "npm run bench -- raft-lone-writer (500 sequential publishes after 5000 warm-up; 500 fsyncs; 500 GETs)", writes);
  } finally {
    await server.kill();
  }
}
