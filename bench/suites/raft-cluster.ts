// Durable writes on three nodes on this one machine (every write replicated to a majority before
// the answer) against single-node etcd PUT, same run, 64 connections. Target ≥ 1× etcd.
// As in raft-publish: both run side by side, warm up, then adjacent pairs with alternating order;
// the figure is the median of the pair ratios.
import { wrk, type LoadResult } from "../lib/tools.ts";
import { alternatingPairs } from "../lib/pairs.ts";
import { median } from "../lib/machine.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos } from "../lib/processes.ts";
import { startEtcd, writeLoadScripts } from "../lib/etcd.ts";
import { TestCluster } from "../../test/helpers/cluster.ts";

const ROUNDS = 5;

export default async function raftCluster(): Promise<void> {
  const binary = await buildRnacos();
  const { etcd: etcdScript, nacos: nacosScript } = writeLoadScripts(1000);
  const opts = { connections: 64, seconds: 5 };
  const etcd = await startEtcd();
  const cluster = await TestCluster.start(3, { RNACOS_LOG: "warn" }, binary);
  try {
    const leaderUrl = cluster.url(await cluster.leader());
    const runs: { ours: LoadResult[]; etcd: LoadResult[] } = { ours: [], etcd: [] };
    const measure = (url: string, script: string, into: LoadResult[]) => async () => {
      const r = await wrk(url, { ...opts, script });
      if (r.errors > 0) throw new Error(`${r.errors} errors from ${url}`);
      into.push(r);
      return r.requestsPerSecond;
    };
    await wrk(etcd.url, { ...opts, seconds: 3, script: etcdScript });
    await wrk(leaderUrl, { ...opts, seconds: 3, script: nacosScript });
    const { ours, base, ratio } = await alternatingPairs(ROUNDS, measure(etcd.url, etcdScript, runs.etcd), measure(leaderUrl, nacosScript, runs.ours));
    const p99 = (rs: LoadResult[]) => median(rs.map((r) => r.latencyP99Ms ?? 0)).toFixed(2);
    recordResult({
      benchmark: "durable writes, three nodes on one machine (publish to the leader vs single-node etcd PUT)",
      command: `npm run bench -- raft-cluster (wrk -t2 -c64, 1000 keys, 100-byte values; 3 s warm-up each, then ${ROUNDS} adjacent 5 s pairs, median of pair ratios)`,
      figure: `${Math.round(median(ours))} writes/s (rounds ${ours.map(Math.round).join(", ")}; median p99 ${p99(runs.ours)} ms)`,
      baseline: `etcd (one node) ${Math.round(median(base))} PUT/s (rounds ${base.map(Math.round).join(", ")}; median p99 ${p99(runs.etcd)} ms)`,
      ratio: ratio.toFixed(2),
      target: "≥ 1× etcd",
      met: ratio >= 1,
    });
  } finally {
    await cluster.stop();
    await etcd.stop();
  }
}
