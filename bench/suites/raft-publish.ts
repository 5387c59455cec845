// Durable writes, one node, 64 connections: Nacos config publish on rnacos (Raft log + apply in
// SQLite, fsync before the answer) against etcd PUT in the same run (adjacent pairs, see
// compareWithEtcd). Target ≥ 2× etcd.
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { compareWithEtcd, describeRounds, startEtcd, writeLoadScripts } from "../lib/etcd.ts";

const ROUNDS = 5;

export default async function raftPublish(): Promise<void> {
  const binary = await buildRnacos();
  const etcd = await startEtcd();
  const server = await startRnacosBinary(binary);
  try {
    const c = await compareWithEtcd(etcd.url, server.url, writeLoadScripts(1000), ROUNDS);
    recordResult({
      benchmark: "durable writes, one node (config publish vs etcd PUT)",
      command: `npm run bench -- raft-publish (wrk -t2 -c64, 1000 keys, 100-byte values; 3 s warm-up each, then ${ROUNDS} adjacent 5 s pairs, median of pair ratios)`,
      figure: describeRounds(c.ours, "writes/s", c.oursP99),
      baseline: `etcd ${describeRounds(c.etcd, "PUT/s", c.etcdP99)}`,
      ratio: c.ratio.toFixed(2),
      target: "≥ 2× etcd",
      met: c.ratio >= 2,
    });
  } finally {
    await server.kill();
    await etcd.stop();
  }
}
