// Starts test/helpers/grpc-test-server.ts in its own process, reads its READY/EVENT lines, sends it
// commands, and kills it by PID (also when the test process exits).
import type { Subprocess } from "bun";
import { join } from "node:path";

const ENTRY = join(import.meta.dir, "../../../helpers/grpc-test-server.ts");
const started = new Set<Subprocess>();
process.on("exit", () => {
  for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
});

export interface TestServerEvent {
  event: string;
  id?: string;
  reason?: string;
  [key: string]: unknown;
}

export interface GrpcTestServer {
  pid: number;
  port: number;
  address: string;
  events: TestServerEvent[];
  output(): string;
  /** Resolves with the first event (already seen or future) matching `match`, or throws after timeoutMs. */
  waitForEvent(match: (e: TestServerEvent) => boolean, timeoutMs?: number): Promise<TestServerEvent>;
  /** Resolves when stdout has a line equal to `line` (after the call), or throws after timeoutMs. */
  command(cmd: string, answer?: string, timeoutMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export async function startGrpcTestServer(options: Record<string, unknown> = {}, readyTimeoutMs = 10_000): Promise<GrpcTestServer> {
  const proc = Bun.spawn([process.execPath, ENTRY], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", GRPC_TEST_OPTIONS: JSON.stringify(options) },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));

  const events: TestServerEvent[] = [];
  const lines: string[] = [];
  let text = "";
  let wake: (() => void)[] = [];
  const notify = () => {
    for (const w of wake.splice(0)) w();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let partial = "";
    for await (const chunk of proc.stdout) {
      const s = decoder.decode(chunk, { stream: true });
      text += s;
      partial += s;
      const parts = partial.split("\n");
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith("EVENT ")) events.push(JSON.parse(line.slice(6)));
      }
      notify();
    }
    notify();
  })();
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) text += decoder.decode(chunk, { stream: true });
  })();

  const until = async <T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (proc.exitCode !== null && what !== "exit") throw new Error(`grpc test server exited (${proc.exitCode}) while waiting for ${what}\n${text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${text.slice(-4000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  const readyLine = await until("READY", () => lines.find((l) => l.startsWith("READY ")), readyTimeoutMs).catch(async (err) => {
    proc.kill("SIGKILL");
    throw err;
  });
  const port = Number(readyLine.slice(6));
  return {
    pid: proc.pid,
    port,
    address: `127.0.0.1:${port}`,
    events,
    output: () => text,
    waitForEvent: (match, timeoutMs = 10_000) => until("event", () => events.find(match), timeoutMs),
    async command(cmd, answer, timeoutMs = 10_000) {
      const from = lines.length;
      proc.stdin.write(cmd + "\n");
      proc.stdin.flush();
      if (answer) await until(answer, () => (lines.slice(from).includes(answer) ? true : undefined), timeoutMs);
    },
    async kill() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
