// Durable writes, one node, 64 connections: Nacos config publish on rnacos (Raft log + apply in
// SQLite, fsync before the answer) against etcd PUT in the same run. Target ≥ 2× etcd.
// Both run side by side; after a warm-up of each, they are measured in adjacent pairs (order
// alternating) and the figure is the median of the pair ratios, as a shared machine drifts.
import { wrk, type LoadResult } from "../lib/tools.ts";
import { alternatingPairs } from "../lib/pairs.ts";
import { median } from "../lib/machine.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { startEtcd, writeLoadScripts } from "../lib/etcd.ts";

const ROUNDS = 5;

export default async function raftPublish(): Promise<void> {
  const binary = await buildRnacos();
  const { etcd: etcdScript, nacos: nacosScript } = writeLoadScripts(1000);
  const opts = { connections: 64, seconds: 5 };
  const etcd = await startEtcd();
  const server = await startRnacosBinary(binary);
  try {
    const runs: { ours: LoadResult[]; etcd: LoadResult[] } = { ours: [], etcd: [] };
    const measure = (url: string, script: string, into: LoadResult[]) => async () => {
      const r = await wrk(url, { ...opts, script });
      if (r.errors > 0) throw new Error(`${r.errors} errors from ${url}`);
      into.push(r);
      return r.requestsPerSecond;
    };
    await wrk(etcd.url, { ...opts, seconds: 3, script: etcdScript });
    await wrk(server.url, { ...opts, seconds: 3, script: nacosScript });
    const { ours, base, ratio } = await alternatingPairs(ROUNDS, measure(etcd.url, etcdScript, runs.etcd), measure(server.url, nacosScript, runs.ours));
    const p99 = (rs: LoadResult[]) => median(rs.map((r) => r.latencyP99Ms ?? 0)).toFixed(2);
    recordResult({
      benchmark: "durable writes, one node (config publish vs etcd PUT)",
      command: `npm run bench -- raft-publish (wrk -t2 -c64, 1000 keys, 100-byte values; 3 s warm-up each, then ${ROUNDS} adjacent 5 s pairs, median of pair ratios)`,
      figure: `${Math.round(median(ours))} writes/s (rounds ${ours.map(Math.round).join(", ")}; median p99 ${p99(runs.ours)} ms)`,
      baseline: `etcd ${Math.round(median(base))} PUT/s (rounds ${base.map(Math.round).join(", ")}; median p99 ${p99(runs.etcd)} ms)`,
      ratio: ratio.toFixed(2),
      target: "≥ 2× etcd",
      met: ratio >= 2,
    });
  } finally {
    await server.kill();
    await etcd.stop();
  }
}
