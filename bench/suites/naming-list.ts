// GET /nacos/v1/ns/instance/list of a 100-instance service against bare Bun.serve answering "OK",
// wrk -t2 -c64, interleaved rounds (the machine is shared: medians of alternating runs keep the
// ratio honest). Measured twice: as Nacos clients ask (Accept-Encoding: gzip, so the ~37 KB list
// travels gzipped) and without compression. Target ≥ 0.6×.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrk } from "../lib/tools.ts";
import { median } from "../lib/machine.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startBaseline, startRnacosBinary } from "../lib/processes.ts";
import { tempDir } from "../../test/helpers/server.ts";

const ROUNDS = 3;
const opts = { connections: 64, seconds: 5 };

export default async function namingList(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const bare = await startBaseline("bare-bun-serve");
  try {
    for (let i = 1; i <= 100; i++) {
      const res = await fetch(`${server.url}/nacos/v1/ns/instance?serviceName=bench-list&ip=10.0.${i >> 8}.${i & 255}&port=8080&metadata=${encodeURIComponent('{"zone":"eu-west-1a","version":"1.4.2"}')}`, { method: "POST" });
      if ((await res.text()) !== "ok") throw new Error("registering the bench instances failed");
    }
    // the query nacos-naming sends (without a udpPort, so no subscription is made)
    const url = `${server.url}/nacos/v1/ns/instance/list?serviceName=DEFAULT_GROUP%40%40bench-list&clusters=&udpPort=0&clientIP=127.0.0.1&healthyOnly=false&namespaceId=public`;
    const identityBytes = (await (await fetch(url, { headers: { "accept-encoding": "identity" } })).arrayBuffer()).byteLength;
    const gzipBytes = (await (await fetch(url, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit)).arrayBuffer()).byteLength;
    const dir = tempDir("rnacos-bench-");
    const gzipScript = join(dir, "gzip.lua");
    writeFileSync(gzipScript, `wrk.headers["Accept-Encoding"] = "gzip,deflate,sdch"\nwrk.headers["User-Agent"] = "Nacos-Java-Client:v1.0.0"\n`);
    const base: number[] = [];
    const gz: number[] = [];
    const plain: number[] = [];
    const gzP99: number[] = [];
    const plainP99: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push((await wrk(`${bare.url}/`, opts)).requestsPerSecond);
      const g = await wrk(url, { ...opts, script: gzipScript });
      const p = await wrk(url, opts);
      if (g.errors + p.errors > 0) throw new Error(`rnacos answered ${g.errors + p.errors} list requests with errors`);
      gz.push(g.requestsPerSecond);
      gzP99.push(g.latencyP99Ms ?? 0);
      plain.push(p.requestsPerSecond);
      plainP99.push(p.latencyP99Ms ?? 0);
    }
    const baseline = `bare Bun.serve "OK" ${Math.round(median(base))} req/s (rounds ${base.map(Math.round).join(", ")})`;
    for (const [what, runs, p99, bytes] of [
      ["as Nacos clients ask (Accept-Encoding: gzip)", gz, gzP99, gzipBytes],
      ["uncompressed", plain, plainP99, identityBytes],
    ] as const) {
      const ratio = median(runs) / median(base);
      recordResult({
        benchmark: `naming GET instance/list, 100 instances, ${what}`,
        command: `npm run bench -- naming-list (wrk -t2 -c64 -d5s, ${ROUNDS} interleaved rounds, medians; ${bytes} B body)`,
        figure: `${Math.round(median(runs))} req/s (rounds ${runs.map(Math.round).join(", ")}; p99 ${median(p99).toFixed(2)} ms)`,
        baseline,
        ratio: ratio.toFixed(2),
        target: "≥ 0.6×",
        met: ratio >= 0.6,
      });
    }
  } finally {
    await bare.stop();
    await server.kill();
  }
}
