// Durable writes on three nodes on this one machine (every write replicated to a majority before
// the answer) against single-node etcd PUT, same run (adjacent pairs, see compareWithEtcd), 64
// connections to the leader. Target ≥ 1× etcd.
import { recordResult } from "../lib/results.ts";
import { buildRnacos } from "../lib/processes.ts";
import { compareWithEtcd, describeRounds, startEtcd, writeLoadScripts } from "../lib/etcd.ts";
import { TestCluster } from "../../test/helpers/cluster.ts";

const ROUNDS = 5;

export default async function raftCluster(): Promise<void> {
  const binary = await buildRnacos();
  const etcd = await startEtcd();
  const cluster = await TestCluster.start(3, { RNACOS_LOG: "warn" }, binary);
  try {
    const c = await compareWithEtcd(etcd.url, cluster.url(await cluster.leader()), writeLoadScripts(1000), ROUNDS);
    recordResult({
      benchmark: "durable writes, three nodes on one machine (publish to the leader vs single-node etcd PUT)",
      command: `npm run bench -- raft-cluster (wrk -t2 -c64, 1000 keys, 100-byte values; 3 s warm-up each, then ${ROUNDS} adjacent 5 s pairs, median of pair ratios)`,
      figure: describeRounds(c.ours, "writes/s", c.oursP99),
      baseline: `etcd (one node) ${describeRounds(c.etcd, "PUT/s", c.etcdP99)}`,
      ratio: c.ratio.toFixed(2),
      target: "≥ 1× etcd",
      met: c.ratio >= 1,
    });
  } finally {
    await cluster.stop();
    await etcd.stop();
  }
}
