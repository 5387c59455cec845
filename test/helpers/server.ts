// Starts the real rnacos process (from source, or the built binary) on free ports with a temp
// data dir, waits for readiness with a deadline, and kills it by PID. Every process started here is
// killed when the test process exits, whatever happened.
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const SOURCE_ENTRY = join(REPO_ROOT, "src/main.ts");
export const BINARY = join(REPO_ROOT, "dist/rnacos");

const started = new Set<Subprocess>();
process.on("exit", () => {
  for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
});

/**
 * A port nothing listens on, from below the kernel's ephemeral range (32768+): ports there are
 * never taken by outgoing connections, whose TIME_WAIT leftovers (wrk, fetch, gRPC clients) would
 * otherwise make a later bind fail with EADDRINUSE.
 */
const handedOut = new Set<number>();
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 15000 + Math.floor(Math.random() * 17000);
    if (handedOut.has(port)) continue;
    try {
      const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      listener.stop(true);
      handedOut.add(port);
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("no free port found in 15000-31999");
}

export function tempDir(prefix = "rnacos-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await Bun.sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
}

export interface StartOptions {
  /** Extra environment (RNACOS_* settings). Ports and data dir are chosen unless given here. */
  env?: Record<string, string>;
  args?: string[];
  /** Path of a built executable to run instead of the source (e.g. BINARY). */
  binary?: string;
  cwd?: string;
  dataDir?: string;
  /** Leave RNACOS_DATA_DIR unset so the server uses its default, ./nacos_db in `cwd`. */
  defaultDataDir?: boolean;
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  pid: number;
  httpPort: number;
  grpcPort: number;
  consolePort: number;
  dataDir: string;
  /** http://127.0.0.1:<http port> */
  url: string;
  consoleUrl: string;
  /** Everything the process wrote to stderr and stdout so far. */
  output(): string;
  /** Sends a signal and waits for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
  kill(): Promise<void>;
}

export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  const httpPort = opts.env?.RNACOS_HTTP_PORT ? Number(opts.env.RNACOS_HTTP_PORT) : await freePort();
  const grpcPort = opts.env?.RNACOS_GRPC_PORT ? Number(opts.env.RNACOS_GRPC_PORT) : await freePort();
  const consolePort = opts.env?.RNACOS_HTTP_CONSOLE_PORT ? Number(opts.env.RNACOS_HTTP_CONSOLE_PORT) : await freePort();
  const cwd = opts.cwd ?? tempDir("rnacos-cwd-");
  const dataDir = opts.defaultDataDir ? join(cwd, "nacos_db") : (opts.dataDir ?? opts.env?.RNACOS_DATA_DIR ?? join(tempDir(), "data"));
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    RNACOS_SDK_HOST: "127.0.0.1",
    RNACOS_LOG: "info",
    ...opts.env,
    RNACOS_HTTP_PORT: String(httpPort),
    RNACOS_GRPC_PORT: String(grpcPort),
    RNACOS_HTTP_CONSOLE_PORT: String(consolePort),
    ...(opts.defaultDataDir ? {} : { RNACOS_DATA_DIR: dataDir }),
  };
  const proc = spawnRnacos(opts.args ?? [], env, { binary: opts.binary, cwd });
  const url = `http://127.0.0.1:${httpPort}`;
  const server: ServerProcess = {
    proc,
    pid: proc.pid,
    httpPort,
    grpcPort,
    consolePort,
    dataDir,
    url,
    consoleUrl: `http://127.0.0.1:${consolePort}`,
    output: collectOutput(proc),
    async stop(signal = "SIGTERM", timeoutMs = 15_000) {
      if (proc.exitCode === null) proc.kill(signal);
      const code = await Promise.race([proc.exited, Bun.sleep(timeoutMs).then(() => undefined)]);
      if (code === undefined) {
        proc.kill("SIGKILL");
        throw new Error(`rnacos pid ${proc.pid} did not exit within ${timeoutMs} ms after ${signal}\n${server.output()}`);
      }
      return code;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await proc.exited;
    },
  };
  try {
    await waitFor(
      `readiness of rnacos pid ${proc.pid}`,
      async () => {
        if (proc.exitCode !== null) throw new ExitedEarly(proc.exitCode, server.output());
        const res = await fetch(`${url}/nacos/v1/console/health/readiness`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      },
      opts.readyTimeoutMs ?? 15_000,
    );
  } catch (err) {
    await server.kill();
    if (err instanceof ExitedEarly) throw err;
    throw new Error(`${(err as Error).message}\n${server.output()}`);
  }
  return server;
}

class ExitedEarly extends Error {
  constructor(code: number, output: string) {
    super(`rnacos exited with code ${code} before it was ready:\n${output}`);
  }
}

function spawnRnacos(args: string[], env: Record<string, string>, opts: { binary?: string; cwd?: string }) {
  // --no-env-file: rnacos reads .env itself (only when -e is not given); Bun's own loading would put it in the environment.
  const cmd = opts.binary ? [opts.binary, ...args] : [process.execPath, "--no-env-file", SOURCE_ENTRY, ...args];
  const proc = Bun.spawn(cmd, { env, cwd: opts.cwd ?? tempDir("rnacos-cwd-"), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  started.add(proc);
  proc.exited.then(() => started.delete(proc));
  return proc;
}

function collectOutput(proc: Subprocess<"ignore", "pipe", "pipe">): () => string {
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  return () => text;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs rnacos to completion (for --help, --version, and start-up failures); kills it after `timeoutMs`. */
export async function runRnacos(args: string[], opts: { env?: Record<string, string>; cwd?: string; binary?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...opts.env };
  const proc = spawnRnacos(args, env, opts);
  const stdout = new Response(proc.stdout).text();
  const stderr = new Response(proc.stderr).text();
  const code = await Promise.race([proc.exited, Bun.sleep(opts.timeoutMs ?? 15_000).then(() => undefined)]);
  if (code === undefined) {
    proc.kill("SIGKILL");
    throw new Error(`rnacos ${args.join(" ")} did not exit within ${opts.timeoutMs ?? 15_000} ms\n${await stderr}`);
  }
  return { code, stdout: await stdout, stderr: await stderr };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
