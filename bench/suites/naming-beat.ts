// PUT /nacos/v1/ns/instance/beat as the npm nacos client sends it (beat JSON in the query) against
// bare Bun.serve answering "OK", wrk -t2 -c64, interleaved rounds, medians. Target ≥ 0.5×.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrk } from "../lib/tools.ts";
import { median } from "../lib/machine.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startBaseline, startRnacosBinary } from "../lib/processes.ts";
import { tempDir } from "../../test/helpers/server.ts";

const ROUNDS = 3;
const opts = { connections: 64, seconds: 5 };

export default async function namingBeat(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const bare = await startBaseline("bare-bun-serve");
  try {
    const register = await fetch(`${server.url}/nacos/v1/ns/instance?serviceName=bench-beat&ip=10.0.0.1&port=8080`, { method: "POST" });
    if ((await register.text()) !== "ok") throw new Error("registering the bench instance failed");
    const beat = JSON.stringify({ serviceName: "DEFAULT_GROUP@@bench-beat", ip: "10.0.0.1", port: 8080, cluster: "DEFAULT", weight: 1, metadata: {}, scheduled: false });
    const path = `/nacos/v1/ns/instance/beat?beat=${encodeURIComponent(beat)}&namespaceId=public&serviceName=DEFAULT_GROUP%40%40bench-beat`;
    const check = (await (await fetch(server.url + path, { method: "PUT" })).json()) as { code: number };
    if (check.code !== 10200) throw new Error(`beat answered ${JSON.stringify(check)}`);
    const script = join(tempDir("rnacos-bench-"), "beat.lua");
    writeFileSync(script, `wrk.method = "PUT"\n`);
    const ours: number[] = [];
    const base: number[] = [];
    const p99: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push((await wrk(`${bare.url}/`, opts)).requestsPerSecond);
      const o = await wrk(server.url + path, { ...opts, script });
      if (o.errors > 0) throw new Error(`rnacos answered ${o.errors} beats with errors`);
      ours.push(o.requestsPerSecond);
      p99.push(o.latencyP99Ms ?? 0);
    }
    const m = (await (await fetch(`${server.url}/nacos/v1/ns/operator/metrics`)).json()) as { beatCount: number };
    const ratio = median(ours) / median(base);
    recordResult({
      benchmark: "naming PUT instance/beat",
      command: `npm run bench -- naming-beat (wrk -t2 -c64 -d5s PUT, ${ROUNDS} interleaved rounds, medians)`,
      figure: `${Math.round(median(ours))} beats/s (rounds ${ours.map(Math.round).join(", ")}; p99 ${median(p99).toFixed(2)} ms; server counted ${m.beatCount})`,
      baseline: `bare Bun.serve "OK" ${Math.round(median(base))} req/s (rounds ${base.map(Math.round).join(", ")})`,
      ratio: ratio.toFixed(2),
      target: "≥ 0.5×",
      met: ratio >= 0.5,
    });
  } finally {
    await bare.stop();
    await server.kill();
  }
}
