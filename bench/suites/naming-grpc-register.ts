// gRPC InstanceRequest (register) throughput: raw HTTP/2 Nacos connections from separate load
// processes (bench/lib/nacos-grpc-load.ts), registering instances across 1,000 services with many
// requests in flight. The load shares the machine with the server, so the server's CPU time is
// reported too. Target ≥ 15,000 registrations/s.
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { cpuSeconds, runLoadProcesses } from "../lib/naming-grpc-load.ts";

const PROCESSES = 2;
const CONNECTIONS = 4;
const INFLIGHT = 64;
const PER_PROCESS = 60_000;

export default async function namingGrpcRegister(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  try {
    const cpuBefore = await cpuSeconds(server.pid);
    const plan = { address: `127.0.0.1:${server.grpcPort}`, connections: CONNECTIONS, inflight: INFLIGHT, total: PER_PROCESS, offset: 0, maker: "registerInstance" as const };
    const result = await runLoadProcesses(plan, PROCESSES);
    const serverCpu = (await cpuSeconds(server.pid)) - cpuBefore;
    if (result.failed > 0) throw new Error(`${result.failed} registrations failed`);
    const total = PROCESSES * PER_PROCESS;
    recordResult({
      benchmark: "naming gRPC InstanceRequest register",
      command: `npm run bench -- naming-grpc-register (${PROCESSES} load processes × ${CONNECTIONS} connections × ${INFLIGHT} in flight, ${total} registrations over 1,000 services)`,
      figure: `${Math.round(result.perSecond)} registrations/s (${result.seconds.toFixed(1)} s)`,
      baseline: `server CPU ${serverCpu.toFixed(1)} s (incl. warm-up) ≈ ${Math.round(total / serverCpu)} registrations per server CPU-second`,
      ratio: "—",
      target: "≥ 15,000/s",
      met: result.perSecond >= 15_000,
    });
  } finally {
    await server.kill();
  }
}
