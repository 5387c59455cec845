// GET /nacos/v1/ns/instance/list of a 100-instance service against bare Bun.serve answering "OK",
// wrk -t2 -c64, interleaved rounds (the machine is shared: medians of alternating runs keep the
// ratio honest). Measured twice: as Nacos clients ask (Accept-Encoding: gzip, so the ~39 KB list
// travels gzipped) and without compression; the uncompressed row also names what bare Bun.serve
// does sending the same number of bytes. Target ≥ 0.6×.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrk } from "../lib/tools.ts";
import { median } from "../lib/machine.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startBaseline, startRnacosBinary } from "../lib/processes.ts";
import { freePort, tempDir, waitFor } from "../../test/helpers/server.ts";

/** Bare Bun.serve answering a fixed body of `bytes` bytes: what moving the list's bytes alone costs. */
async function bareBody(bytes: number) {
  const port = await freePort();
  const script = `const b = new Blob(["x".repeat(${bytes})], { type: "application/json" }); Bun.serve({ hostname: "127.0.0.1", port: ${port}, reusePort: false, fetch: () => new Response(b) });`;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "ignore", stderr: "inherit" });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor("same-size baseline", async () => ((await fetch(url).catch(() => undefined))?.ok ? true : undefined));
  return { url, stop: async () => (proc.kill("SIGKILL"), await proc.exited) };
}

const ROUNDS = 3;
const opts = { connections: 64, seconds: 5 };

export default async function namingList(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const bare = await startBaseline("bare-bun-serve");
  let sameSize: Awaited<ReturnType<typeof bareBody>> | undefined;
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
    sameSize = await bareBody(identityBytes);
    const sameSizeRuns: number[] = [];
    const base: number[] = [];
    const gz: number[] = [];
    const plain: number[] = [];
    const gzP99: number[] = [];
    const plainP99: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push((await wrk(`${bare.url}/`, opts)).requestsPerSecond);
      sameSizeRuns.push((await wrk(sameSize.url, opts)).requestsPerSecond);
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
      const bytesNote = runs === plain ? `; bare Bun.serve sending the same ${bytes} B: ${Math.round(median(sameSizeRuns))} req/s, ratio to it ${(median(runs) / median(sameSizeRuns)).toFixed(2)}` : "";
      recordResult({
        benchmark: `naming GET instance/list, 100 instances, ${what}`,
        command: `npm run bench -- naming-list (wrk -t2 -c64 -d5s, ${ROUNDS} interleaved rounds, medians; ${bytes} B body)`,
        figure: `${Math.round(median(runs))} req/s (rounds ${runs.map(Math.round).join(", ")}; p99 ${median(p99).toFixed(2)} ms${bytesNote})`,
        baseline,
        ratio: ratio.toFixed(2),
        target: "≥ 0.6×",
        met: ratio >= 0.6,
      });
    }
  } finally {
    await sameSize?.stop();
    await bare.stop();
    await server.kill();
  }
}
