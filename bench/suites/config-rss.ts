// Resident memory of dist/rnacos holding 10,000 configs of 1 KB (published one by one over HTTP, so
// the Raft log, history rows and the in-memory index are all real), 2 s after the last publish, against
// the same binary idle in the same run. Target ≤ 150 MiB.
import { recordResult } from "../lib/results.ts";
import { rssMiB } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";

const CONFIGS = 10_000;
const CONCURRENCY = 64;

export default async function configRss(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  try {
    await Bun.sleep(2000);
    const idle = await rssMiB(server.pid);
    const content = (i: number) => `# config ${i}\n`.padEnd(1024, "x");
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONFIGS) {
          const i = next++;
          const res = await fetch(`${server.url}/nacos/v1/cs/configs`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ dataId: `app-${i}.properties`, group: `GROUP_${i % 20}`, content: content(i), type: "properties" }).toString(),
          });
          if ((await res.text()) !== "true") throw new Error(`publish ${i} failed`);
        }
      }),
    );
    const publishSeconds = (performance.now() - started) / 1000;
    await Bun.sleep(2000);
    const loaded = await rssMiB(server.pid);
    const check = await fetch(`${server.url}/nacos/v1/cs/configs?dataId=app-${CONFIGS - 1}.properties&group=GROUP_${(CONFIGS - 1) % 20}`);
    if ((await check.text()) !== content(CONFIGS - 1)) throw new Error("the last config does not read back");
    recordResult({
      benchmark: `RSS with ${CONFIGS} configs of 1 KB`,
      command: `npm run bench -- config-rss (VmRSS 2 s after ${CONFIGS} publishes, ${CONCURRENCY} at a time, ${publishSeconds.toFixed(1)} s)`,
      figure: `${loaded.toFixed(1)} MiB`,
      baseline: `same binary idle ${idle.toFixed(1)} MiB`,
      ratio: (loaded / idle).toFixed(2),
      target: "≤ 150 MiB",
      met: loaded <= 150,
    });
  } finally {
    await server.kill();
  }
}
