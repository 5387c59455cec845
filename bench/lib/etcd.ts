// etcd from Debian (etcd-server), started on free loopback ports with a temp data dir, as the
// reference for durable writes. It fsyncs its WAL before answering a PUT, as we do.
import type { Subprocess } from "bun";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTool, wrk, type LoadResult } from "./tools.ts";
import { alternatingPairs } from "./pairs.ts";
import { median } from "./machine.ts";
import { freePort, tempDir, waitFor } from "../../test/helpers/server.ts";

export interface Etcd {
  url: string;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<Etcd> {
  await ensureTool("etcd");
  const [client, peer] = [await freePort(), await freePort()];
  const dir = join(tempDir("rnacos-etcd-"), "data");
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc: Subprocess = Bun.spawn(
    [
      "etcd",
      "--name=bench",
      `--data-dir=${dir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=bench=${peerUrl}`,
      "--log-level=error",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  await waitFor("etcd", async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined), 20_000, 50);
  return {
    url,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** A wrk script that PUTs 100-byte values to `keys` distinct keys through etcd's JSON gateway. */
export function etcdPutScript(keys: number): string {
  const b64 = Array.from({ length: keys }, (_, i) => `"${Buffer.from(`bench-${i}`).toString("base64")}"`);
  const value = Buffer.from("v".repeat(100)).toString("base64");
  return `
keys = {${b64.join(",")}}
counter = 0
request = function()
  counter = counter + 1
  local body = '{"key":"' .. keys[(counter % ${keys}) + 1] .. '","value":"${value}"}'
  return wrk.format("POST", "/v3/kv/put", {["Content-Type"] = "application/json"}, body)
end
`;
}

/** The same load against rnacos: Nacos v1 config publish of 100-byte contents to `keys` keys. */
export function nacosPublishScript(keys: number): string {
  return `
counter = 0
request = function()
  counter = counter + 1
  local body = "dataId=bench-" .. (counter % ${keys}) .. "&group=DEFAULT_GROUP&content=${"v".repeat(100)}"
  return wrk.format("POST", "/nacos/v1/cs/configs", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
`;
}

/** Writes both wrk scripts to a temp dir (same keys, same value size) and returns their paths. */
export function writeLoadScripts(keys = 1000): { etcd: string; nacos: string } {
  const dir = tempDir("rnacos-bench-lua-");
  const paths = { etcd: join(dir, "etcd-put.lua"), nacos: join(dir, "nacos-publish.lua") };
  writeFileSync(paths.etcd, etcdPutScript(keys));
  writeFileSync(paths.nacos, nacosPublishScript(keys));
  return paths;
}

export interface EtcdComparison {
  /** Median writes/s and the rounds, ours and etcd's. */
  ours: number[];
  etcd: number[];
  ratio: number;
  /** Median p99 latency of the rounds, ms. */
  oursP99: number;
  etcdP99: number;
}

/**
 * Durable writes against etcd PUT, both servers up side by side: a warm-up of each, then `rounds`
 * adjacent 5 s pairs (order alternating), the ratio being the median of the pair ratios, as a shared
 * machine drifts (etcd alone swung 7-16k PUT/s between single runs).
 */
export async function compareWithEtcd(etcdUrl: string, oursUrl: string, scripts: { etcd: string; nacos: string }, rounds: number): Promise<EtcdComparison> {
  const opts = { connections: 64, seconds: 5 };
  const runs: { ours: LoadResult[]; etcd: LoadResult[] } = { ours: [], etcd: [] };
  const measure = (url: string, script: string, into: LoadResult[]) => async () => {
    const r = await wrk(url, { ...opts, script });
    if (r.errors > 0) throw new Error(`${r.errors} errors from ${url}`);
    into.push(r);
    return r.requestsPerSecond;
  };
  await wrk(etcdUrl, { ...opts, seconds: 3, script: scripts.etcd });
  await wrk(oursUrl, { ...opts, seconds: 3, script: scripts.nacos });
  const { ours, base, ratio } = await alternatingPairs(rounds, measure(etcdUrl, scripts.etcd, runs.etcd), measure(oursUrl, scripts.nacos, runs.ours));
  const p99 = (rs: LoadResult[]) => median(rs.map((r) => r.latencyP99Ms ?? 0));
  return { ours, etcd: base, ratio, oursP99: p99(runs.ours), etcdP99: p99(runs.etcd) };
}

/** "median unit (rounds a, b, c; median p99 x ms)" for a results row. */
export function describeRounds(values: number[], unit: string, p99: number): string {
  return `${Math.round(median(values))} ${unit} (rounds ${values.map(Math.round).join(", ")}; median p99 ${p99.toFixed(2)} ms)`;
}
