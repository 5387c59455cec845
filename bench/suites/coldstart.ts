// Cold start of dist/rnacos to readiness 200 (fresh data dir) against a compiled hello-world
// binary, median of 5 each. Targets: ≤ 150 ms and ≤ 3× hello-world.
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { buildRnacos, compileBaseline } from "../lib/processes.ts";
import { freePort, tempDir } from "../../test/helpers/server.ts";

async function timeToReady(cmd: string[], env: Record<string, string>, url: string): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, { cwd: tempDir("rnacos-cold-"), env: { PATH: process.env.PATH ?? "", ...env }, stdout: "ignore", stderr: "ignore" });
  try {
    const deadline = started + 10_000;
    while (performance.now() < deadline) {
      const res = await fetch(url).catch(() => undefined);
      if (res?.status === 200) return performance.now() - started;
      await Bun.sleep(1);
    }
    throw new Error(`${cmd[0]} was not ready within 10 s`);
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

export default async function coldstart(): Promise<void> {
  const binary = await buildRnacos();
  const hello = await compileBaseline("hello");
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [http, grpc, console_] = [await freePort(), await freePort(), await freePort()];
    const env = { RNACOS_HTTP_PORT: String(http), RNACOS_GRPC_PORT: String(grpc), RNACOS_HTTP_CONSOLE_PORT: String(console_), RNACOS_SDK_HOST: "127.0.0.1", RNACOS_LOG: "warn" };
    ours.push(await timeToReady([binary], env, `http://127.0.0.1:${http}/nacos/v1/console/health/readiness`));
    const port = await freePort();
    base.push(await timeToReady([hello], { PORT: String(port) }, `http://127.0.0.1:${port}/`));
  }
  const m = median(ours);
  const b = median(base);
  recordResult({
    benchmark: "cold start to readiness",
    command: "npm run bench -- coldstart (median of 5, fresh data dir)",
    figure: `${m.toFixed(1)} ms (runs ${ours.map((x) => x.toFixed(0)).join(", ")})`,
    baseline: `compiled hello-world ${b.toFixed(1)} ms`,
    ratio: (m / b).toFixed(2),
    target: "≤ 150 ms and ≤ 3×",
    met: m <= 150 && m / b <= 3,
  });
}
