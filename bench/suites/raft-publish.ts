// Durable writes, one node, 64 connections: Nacos config publish on rnacos (Raft log + apply in
// SQLite, fsync before the answer) against etcd PUT in the same run. Target ≥ 2× etcd.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrk } from "../lib/tools.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { etcdPutScript, nacosPublishScript, startEtcd } from "../lib/etcd.ts";
import { tempDir } from "../../test/helpers/server.ts";

export default async function raftPublish(): Promise<void> {
  const binary = await buildRnacos();
  const dir = tempDir("rnacos-bench-lua-");
  const etcdScript = join(dir, "etcd-put.lua");
  const nacosScript = join(dir, "nacos-publish.lua");
  writeFileSync(etcdScript, etcdPutScript(1000));
  writeFileSync(nacosScript, nacosPublishScript(1000));
  const opts = { connections: 64, seconds: 10 };

  const etcd = await startEtcd();
  const base = await wrk(etcd.url, { ...opts, script: etcdScript }).finally(() => etcd.stop());
  const server = await startRnacosBinary(binary);
  const ours = await wrk(server.url, { ...opts, script: nacosScript }).finally(() => server.kill());
  if (ours.errors > 0 || base.errors > 0) throw new Error(`errors: rnacos ${ours.errors}, etcd ${base.errors}`);
  const ratio = ours.requestsPerSecond / base.requestsPerSecond;
  recordResult({
    benchmark: "durable writes, one node (config publish vs etcd PUT)",
    command: "npm run bench -- raft-publish (wrk -t2 -c64 -d10s, 1000 keys, 100-byte values)",
    figure: `${Math.round(ours.requestsPerSecond)} writes/s (p50 ${ours.latencyP50Ms?.toFixed(2)} ms, p99 ${ours.latencyP99Ms?.toFixed(2)} ms)`,
    baseline: `etcd ${Math.round(base.requestsPerSecond)} PUT/s (p99 ${base.latencyP99Ms?.toFixed(2)} ms)`,
    ratio: ratio.toFixed(2),
    target: "≥ 2× etcd",
    met: ratio >= 2,
  });
}
