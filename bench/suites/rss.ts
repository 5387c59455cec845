// Idle RSS of dist/rnacos two seconds after readiness, against the compiled hello-world. Target ≤ 60 MiB.
import { recordResult } from "../lib/results.ts";
import { rssMiB } from "../lib/machine.ts";
import { buildRnacos, compileBaseline, startBaseline, startRnacosBinary } from "../lib/processes.ts";

export default async function rss(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  await Bun.sleep(2000);
  const ours = await rssMiB(server.pid).finally(() => server.kill());
  const hello = await startBaseline("hello", await compileBaseline("hello"));
  await Bun.sleep(2000);
  const base = await rssMiB(hello.pid).finally(() => hello.stop());
  recordResult({
    benchmark: "idle RSS after start",
    command: "npm run bench -- rss (VmRSS 2 s after readiness)",
    figure: `${ours.toFixed(1)} MiB`,
    baseline: `compiled hello-world ${base.toFixed(1)} MiB`,
    ratio: (ours / base).toFixed(2),
    target: "≤ 60 MiB",
    met: ours <= 60,
  });
}
