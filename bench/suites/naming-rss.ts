// Resident memory with 100,000 instances: 50,000 registered over gRPC (BatchInstanceRequest, 100
// per service) and 50,000 over HTTP v1 (heartbeat instances), 1,000 services, two metadata entries
// each; every service then listed once so its view is cached, as on a server with readers.
// VmRSS after a settle, against the same binary before loading. Target ≤ 300 MiB.
import { recordResult } from "../lib/results.ts";
import { rssMiB } from "../lib/machine.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { connectNacos } from "../lib/naming-grpc-load.ts";

const SERVICES = 1000;
const PER_SERVICE = 100;

export default async function namingRss(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  try {
    await Bun.sleep(1000);
    const idle = await rssMiB(server.pid);
    const metadata = { zone: "eu-west-1a", version: "1.4.2" };
    // gRPC: services 0..499, one batch of 100 per service, spread over 10 connections
    const conns = await Promise.all(Array.from({ length: 10 }, () => connectNacos(`127.0.0.1:${server.grpcPort}`)));
    await Promise.all(
      Array.from({ length: SERVICES / 2 }, async (_, s) => {
        const instances = Array.from({ length: PER_SERVICE }, (_, i) => ({ ip: `10.1.${s & 255}.${i + 1}`, port: 8000 + (s >> 8), weight: 1, healthy: true, enabled: true, ephemeral: true, clusterName: "DEFAULT", metadata }));
        const r = await conns[s % conns.length]!.request("BatchInstanceRequest", { namespace: "public", serviceName: `rss-${s}`, groupName: "DEFAULT_GROUP", type: "batchRegisterInstance", instances, module: "naming" });
        if (r.resultCode !== 200) throw new Error(`batch register failed: ${JSON.stringify(r)}`);
      }),
    );
    // HTTP: services 500..999, 64 requests at a time
    let next = 0;
    const meta = encodeURIComponent(JSON.stringify(metadata));
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < (SERVICES / 2) * PER_SERVICE) {
          const n = next++;
          const s = SERVICES / 2 + Math.floor(n / PER_SERVICE);
          const res = await fetch(`${server.url}/nacos/v1/ns/instance?serviceName=rss-${s}&ip=10.2.${s & 255}.${(n % PER_SERVICE) + 1}&port=${8000 + (s >> 8)}&metadata=${meta}`, { method: "POST" });
          if ((await res.text()) !== "ok") throw new Error("HTTP register failed");
        }
      }),
    );
    if (!process.env.NO_VIEWS) for (let s = 0; s < SERVICES; s++) await (await fetch(`${server.url}/nacos/v1/ns/instance/list?serviceName=rss-${s}`)).arrayBuffer();
    const m = (await (await fetch(`${server.url}/nacos/v1/ns/operator/metrics`)).json()) as { instanceCount: number; serviceCount: number };
    if (m.instanceCount !== SERVICES * PER_SERVICE) throw new Error(`expected ${SERVICES * PER_SERVICE} instances, the server holds ${m.instanceCount}`);
    await Bun.sleep(3000);
    const loaded = await rssMiB(server.pid);
    for (const c of conns) c.close();
    recordResult({
      benchmark: "naming RSS with 100,000 instances",
      command: "npm run bench -- naming-rss (50k gRPC batch + 50k HTTP instances, 1,000 services, views cached; VmRSS 3 s after)",
      figure: `${loaded.toFixed(1)} MiB (${m.instanceCount} instances, ${m.serviceCount} services)`,
      baseline: `same binary before loading ${idle.toFixed(1)} MiB`,
      ratio: (loaded / idle).toFixed(2),
      target: "≤ 300 MiB",
      met: loaded <= 300,
    });
  } finally {
    await server.kill();
  }
}
