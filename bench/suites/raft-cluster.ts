// Durable writes on three nodes on this one machine (every write replicated to a majority before
// the answer) against single-node etcd PUT, same run, 64 connections. Target ≥ 1× etcd.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrk } from "../lib/tools.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos } from "../lib/processes.ts";
import { etcdPutScript, nacosPublishScript, startEtcd } from "../lib/etcd.ts";
import { tempDir } from "../../test/helpers/server.ts";
import { TestCluster } from "../../test/helpers/cluster.ts";

export default async function raftCluster(): Promise<void> {
  const binary = await buildRnacos();
  const dir = tempDir("rnacos-bench-lua-");
  const etcdScript = join(dir, "etcd-put.lua");
  const nacosScript = join(dir, "nacos-publish.lua");
  writeFileSync(etcdScript, etcdPutScript(1000));
  writeFileSync(nacosScript, nacosPublishScript(1000));
  const opts = { connections: 64, seconds: 10 };

  const etcd = await startEtcd();
  const base = await wrk(etcd.url, { ...opts, script: etcdScript }).finally(() => etcd.stop());
  const cluster = await TestCluster.start(3, { RNACOS_LOG: "warn" }, binary);
  let ours;
  try {
    const leader = await cluster.leader();
    ours = await wrk(cluster.url(leader), { ...opts, script: nacosScript });
  } finally {
    await cluster.stop();
  }
  if (ours.errors > 0 || base.errors > 0) throw new Error(`errors: rnacos ${ours.errors}, etcd ${base.errors}`);
  const ratio = ours.requestsPerSecond / base.requestsPerSecond;
  recordResult({
    benchmark: "durable writes, three nodes on one machine (publish to the leader vs single-node etcd PUT)",
    command: "npm run bench -- raft-cluster (wrk -t2 -c64 -d10s, 1000 keys, 100-byte values)",
    figure: `${Math.round(ours.requestsPerSecond)} writes/s (p50 ${ours.latencyP50Ms?.toFixed(2)} ms, p99 ${ours.latencyP99Ms?.toFixed(2)} ms)`,
    baseline: `etcd (one node) ${Math.round(base.requestsPerSecond)} PUT/s`,
    ratio: ratio.toFixed(2),
    target: "≥ 1× etcd",
    met: ratio >= 1,
  });
}
