// Starting what a benchmark measures: the rnacos binary (built fresh), baselines, compiled baselines.
import type { Subprocess } from "bun";
import { join } from "node:path";
import { freePort, REPO_ROOT, startServer, tempDir, waitFor, type ServerProcess } from "../../test/helpers/server.ts";

export const BENCH_DIR = join(REPO_ROOT, "bench");

export async function buildRnacos(): Promise<string> {
  const proc = Bun.spawn([process.execPath, "build.ts"], { cwd: REPO_ROOT, stdout: "ignore", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error("npm run build failed");
  return join(REPO_ROOT, "dist", "rnacos");
}

/** Compiles a baseline script with the same flags build.ts uses, so start-up is compared fairly. */
export async function compileBaseline(name: string): Promise<string> {
  const outfile = join(tempDir("rnacos-bench-"), name);
  const args = ["build", "--compile", "--minify", "--bytecode", "--format=esm", join(BENCH_DIR, "baselines", `${name}.ts`), "--outfile", outfile];
  const proc = Bun.spawn([process.execPath, ...args], { stdout: "ignore", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`compiling baseline ${name} failed`);
  return outfile;
}

export interface Baseline {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Runs a baseline (a script, or a compiled one) on a free port and waits until it answers. */
export async function startBaseline(name: string, compiled?: string): Promise<Baseline> {
  const port = await freePort();
  const cmd = compiled ? [compiled] : [process.execPath, join(BENCH_DIR, "baselines", `${name}.ts`)];
  const proc: Subprocess = Bun.spawn(cmd, { env: { ...process.env, PORT: String(port) }, stdout: "ignore", stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`baseline ${name}`, async () => ((await fetch(url).catch(() => undefined))?.ok ? true : undefined));
  return {
    pid: proc.pid,
    url,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

export async function startRnacosBinary(binary: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer({ binary, env: { RNACOS_LOG: "warn", ...env } });
}
