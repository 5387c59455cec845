// Publish throughput on one node at 64 connections: rnacos POST /nacos/v1/cs/configs (a new dataId per
// request, 100-byte content; each is a Raft entry, fsynced in group commits, plus a history row) against
// etcd PUT through its HTTP gateway (/v3/kv/put, a new key per request, same size) — Debian's
// etcd-server, default durability, in the same run. wrk with a Lua body per request. Target ≥ 2×.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTool, wrk } from "../lib/tools.ts";
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { freePort, waitFor } from "../../test/helpers/server.ts";

const ROUNDS = 3;
const OPTS = { connections: 64, seconds: 5 };
const VALUE = "v".repeat(100);

function luaScript(name: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rnacos-bench-lua-"));
  const file = join(dir, `${name}.lua`);
  writeFileSync(file, body);
  return file;
}

// Each wrk thread numbers its own requests; the thread id keeps keys distinct across threads.
const RNACOS_LUA = `
local counter = 0
local thread_id = 0
local next_id = 0
function setup(thread) next_id = next_id + 1; thread:set("tid", next_id) end
function init(args) thread_id = tid end
function request()
  counter = counter + 1
  local body = "dataId=bench-" .. thread_id .. "-" .. counter .. "-" .. math.random(1, 1000000000) .. "&group=BENCH&content=${VALUE}"
  return wrk.format("POST", "/nacos/v1/cs/configs", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end`;

const ETCD_LUA = `
local counter = 0
local thread_id = 0
local next_id = 0
local b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function enc(data)
  return ((data:gsub('.', function(x)
    local r, b = '', x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if (#x < 6) then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return b64:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end
local value = enc("${VALUE}")
function setup(thread) next_id = next_id + 1; thread:set("tid", next_id) end
function init(args) thread_id = tid end
function request()
  counter = counter + 1
  local key = enc("bench/" .. thread_id .. "/" .. counter .. "/" .. math.random(1, 1000000000))
  return wrk.format("POST", "/v3/kv/put", {["Content-Type"] = "application/json"}, '{"key":"' .. key .. '","value":"' .. value .. '"}')
end`;

async function startEtcd(): Promise<{ url: string; stop(): Promise<void> }> {
  await ensureTool("etcd");
  const [client, peer] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "rnacos-bench-etcd-"));
  const proc = Bun.spawn(
    ["etcd", "--data-dir", dir, "--listen-client-urls", `http://127.0.0.1:${client}`, "--advertise-client-urls", `http://127.0.0.1:${client}`, "--listen-peer-urls", `http://127.0.0.1:${peer}`],
    { stdout: "ignore", stderr: "ignore" },
  );
  const url = `http://127.0.0.1:${client}`;
  await waitFor("etcd", async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined), 20_000);
  return {
    url,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

export default async function configPublish(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const etcd = await startEtcd();
  try {
    const rnacosLua = luaScript("rnacos-publish", RNACOS_LUA);
    const etcdLua = luaScript("etcd-put", ETCD_LUA);
    const ours: number[] = [];
    const base: number[] = [];
    let p99 = 0;
    const measureOurs = async () => {
      const r = await wrk(`${server.url}/`, { ...OPTS, script: rnacosLua });
      if (r.errors > 0) throw new Error(`rnacos answered ${r.errors} publishes with errors`);
      ours.push(r.requestsPerSecond);
      p99 = Math.max(p99, r.latencyP99Ms ?? 0);
    };
    const measureBase = async () => {
      const r = await wrk(`${etcd.url}/`, { ...OPTS, script: etcdLua });
      if (r.errors > 0) throw new Error(`etcd answered ${r.errors} PUTs with errors`);
      base.push(r.requestsPerSecond);
    };
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) await measureBase().then(measureOurs);
      else await measureOurs().then(measureBase);
    }
    const ratio = median(ours.map((o, i) => o / base[i]!));
    recordResult({
      benchmark: "config publish, one node",
      command: "npm run bench -- config-publish (wrk -t2 -c64 -d5s, new key per request, 100 B, 3 adjacent pairs, median of pair ratios)",
      figure: `${Math.round(median(ours))} publishes/s (rounds ${ours.map(Math.round).join(", ")}; worst p99 ${p99.toFixed(1)} ms)`,
      baseline: `etcd 3.4 PUT ${Math.round(median(base))}/s (rounds ${base.map(Math.round).join(", ")})`,
      ratio: ratio.toFixed(2),
      target: "≥ 2×",
      met: ratio >= 2,
    });
  } finally {
    await etcd.stop();
    await server.kill();
  }
}
