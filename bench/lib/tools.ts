// Load tools from Debian (wrk, h2load), installed on first use, and parsers for their output.
import { $ } from "bun";

const PACKAGES: Record<string, string> = { wrk: "wrk", h2load: "nghttp2-client", etcd: "etcd-server", etcdctl: "etcd-client" };

export async function ensureTool(name: keyof typeof PACKAGES): Promise<void> {
  if (Bun.which(name)) return;
  const pkg = PACKAGES[name]!;
  console.log(`bench: ${name} is missing; installing Debian package ${pkg}`);
  const result = await $`apt-get install -y -qq ${pkg}`.nothrow().quiet();
  if (result.exitCode !== 0 || !Bun.which(name)) {
    throw new Error(`could not install ${pkg} (apt-get exited ${result.exitCode}); install it by hand: sudo apt-get install ${pkg}`);
  }
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  errors: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

export async function wrk(url: string, opts: { connections: number; seconds: number; threads?: number; script?: string }): Promise<LoadResult> {
  await ensureTool("wrk");
  const args = ["-t", String(opts.threads ?? 2), "-c", String(opts.connections), "-d", `${opts.seconds}s`, "--latency"];
  if (opts.script) args.push("-s", opts.script);
  const out = await $`wrk ${args} ${url}`.text();
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${out}`);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    requestsPerSecond: Number(rps[1]),
    latencyP50Ms: p50 ? toMs(p50[1]!, p50[2]!) : undefined,
    latencyP99Ms: p99 ? toMs(p99[1]!, p99[2]!) : undefined,
    errors,
  };
}

export async function h2load(url: string, opts: { clients: number; streams: number; requests: number; dataFile?: string; headers?: string[]; threads?: number }): Promise<LoadResult> {
  await ensureTool("h2load");
  const args = ["-c", String(opts.clients), "-m", String(opts.streams), "-n", String(opts.requests), "-t", String(opts.threads ?? 1)];
  for (const h of opts.headers ?? []) args.push("-H", h);
  if (opts.dataFile) args.push("-d", opts.dataFile);
  const out = await $`h2load ${args} ${url}`.text();
  const rps = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
  if (!rps) throw new Error(`h2load printed no req/s:\n${out}`);
  const failed = /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed, (\d+) errored/.exec(out);
  return { requestsPerSecond: Number(rps[1]), errors: failed ? Number(failed[1]) + Number(failed[2]) : 0 };
}
