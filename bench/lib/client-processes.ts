// Starts bench/clients/clients-process.ts in several processes (so no single client process needs all
// the sockets, and the clients' memory is not the server's), waits until every one reports READY, and
// kills them by PID.
import type { Subprocess } from "bun";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR } from "./processes.ts";

export interface ClientFleet {
  pids: number[];
  connectionIds: string[];
  stop(): Promise<void>;
}

export async function startClientFleet(port: number, total: number, processes: number, timeoutMs: number): Promise<ClientFleet> {
  const entry = join(BENCH_DIR, "clients", "clients-process.ts");
  const procs: Subprocess<"ignore", "pipe", "inherit">[] = [];
  const stop = async () => {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exited));
  };
  try {
    const per = Math.ceil(total / processes);
    const results = [];
    for (let i = 0; i < processes; i++) {
      const count = Math.min(per, total - i * per);
      const proc = Bun.spawn([process.execPath, entry, String(port), String(count), "64"], { stdout: "pipe", stderr: "inherit" });
      procs.push(proc);
      results.push(readyLine(proc, timeoutMs));
    }
    const lines = await Promise.all(results);
    const connectionIds = lines.flatMap((line) => {
      const file = line.split(" ")[2]!;
      const ids = readFileSync(file, "utf8").split("\n").filter(Boolean);
      rmSync(file, { force: true });
      return ids;
    });
    if (connectionIds.length !== total) throw new Error(`clients report ${connectionIds.length} connections, wanted ${total}`);
    return { pids: procs.map((p) => p.pid), connectionIds, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function readyLine(proc: Subprocess<"ignore", "pipe", "inherit">, timeoutMs: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  try {
    for await (const chunk of proc.stdout) {
      text += decoder.decode(chunk, { stream: true });
      const ready = /^READY .*$/m.exec(text);
      if (ready) return ready[0];
      const failed = /^FAILED .*$/m.exec(text);
      if (failed) throw new Error(`client process ${proc.pid}: ${failed[0]}`);
    }
    throw new Error(`client process ${proc.pid} exited before READY (within ${timeoutMs} ms?):\n${text.slice(-2000)}`);
  } finally {
    clearTimeout(timer);
  }
}
