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

export interface H2LoadResult extends LoadResult {
  /** Requests h2load counted as succeeded (a complete response with a 2xx/3xx status). */
  succeeded: number;
  /** Responses per HTTP status class, from h2load's "status codes:" line. */
  status: { "2xx": number; "3xx": number; "4xx": number; "5xx": number };
  /** The command as run, for the results row. */
  command: string;
}

export async function h2load(url: string, opts: { clients: number; streams: number; requests: number; dataFile?: string; headers?: string[]; threads?: number }): Promise<H2LoadResult> {
  await ensureTool("h2load");
  const args = ["-c", String(opts.clients), "-m", String(opts.streams), "-n", String(opts.requests), "-t", String(opts.threads ?? 1)];
  for (const h of opts.headers ?? []) args.push("-H", h);
  if (opts.dataFile) args.push("-d", opts.dataFile);
  const out = await $`h2load ${args} ${url}`.text();
  const rps = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
  if (!rps) throw new Error(`h2load printed no req/s:\n${out}`);
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  if (!counts || !codes) throw new Error(`h2load printed no request or status counts:\n${out}`);
  return {
    requestsPerSecond: Number(rps[1]),
    errors: Number(counts[2]) + Number(counts[3]),
    succeeded: Number(counts[1]),
    status: { "2xx": Number(codes[1]), "3xx": Number(codes[2]), "4xx": Number(codes[3]), "5xx": Number(codes[4]) },
    // the body file is a temp path: the row names it by its file name
    command: `h2load ${args.map((a) => (a === opts.dataFile ? a.split("/").pop()! : /\s/.test(a) ? `'${a}'` : a)).join(" ")} URL`,
  };
}
