// RSS of dist/rnacos holding 10,000 idle registered gRPC connections (ServerCheckRequest, bi-stream,
// ConnectionSetupRequest, a successful HealthCheckRequest each), opened by 4 client processes, against
// the same server's RSS before any client connected. Target ≤ 400 MiB.
//
// File descriptors: the server needs one per connection. The bench raises its own soft RLIMIT_NOFILE to
// the hard limit with prlimit before starting anything, so the server and the client processes inherit
// it, and stops when the hard limit is too low (raising the hard limit needs CAP_SYS_RESOURCE, which a
// container may not have: there, set it from outside, e.g. docker --ulimit nofile=65536).
import { $ } from "bun";
import { recordResult } from "../lib/results.ts";
import { rssMiB } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { startClientFleet } from "../lib/client-processes.ts";

const CONNECTIONS = 10_000;
const CLIENT_PROCESSES = 4;
/** Sockets beyond the connections: the HTTP ports, SQLite, logs, the binary itself. */
const SPARE_FDS = 200;
/** Long enough to span a full idle-detection round (15 s default): every connection gets probed once. */
const OBSERVE_MS = 25_000;

export default async function grpcIdleRss(): Promise<void> {
  const hard = Number((await $`prlimit --pid ${process.pid} --nofile --output=HARD --noheadings`.text()).trim());
  if (!(hard >= CONNECTIONS + SPARE_FDS)) throw new Error(`hard RLIMIT_NOFILE is ${hard}; ${CONNECTIONS} connections need ${CONNECTIONS + SPARE_FDS}`);
  await $`prlimit --pid ${process.pid} --nofile=${hard}:${hard}`;
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  let fleet;
  try {
    await Bun.sleep(2000);
    const before = await rssMiB(server.pid);
    const started = performance.now();
    fleet = await startClientFleet(server.grpcPort, CONNECTIONS, CLIENT_PROCESSES, 300_000);
    const connectSeconds = (performance.now() - started) / 1000;
    const samples: number[] = [];
    const until = Date.now() + OBSERVE_MS;
    while (Date.now() < until) {
      samples.push(await rssMiB(server.pid));
      await Bun.sleep(1000);
    }
    if (server.proc.exitCode !== null) throw new Error(`rnacos exited (${server.proc.exitCode}):\n${server.output().slice(-2000)}`);
    const settled = samples[samples.length - 1]!;
    const peak = Math.max(...samples);
    recordResult({
      benchmark: "gRPC RSS, 10,000 idle registered connections",
      command: `npm run bench -- grpc-idle-rss (${CLIENT_PROCESSES} client processes × ${CONNECTIONS / CLIENT_PROCESSES} node:http2 connections, each ServerCheck + bi-stream + ConnectionSetupRequest + HealthCheck 200; VmRSS sampled 1/s for ${OBSERVE_MS / 1000} s incl. one ClientDetectionRequest round; nofile soft=hard=${hard} via prlimit)`,
      figure: `${settled.toFixed(1)} MiB after ${OBSERVE_MS / 1000} s (peak ${peak.toFixed(1)} MiB; connected in ${connectSeconds.toFixed(1)} s)`,
      baseline: `same server before clients ${before.toFixed(1)} MiB`,
      ratio: `+${((settled - before) * 1024 / CONNECTIONS).toFixed(1)} KiB/conn`,
      target: "≤ 400 MiB",
      met: peak <= 400,
    });
  } finally {
    await fleet?.stop();
    await server.kill();
  }
}
