// One change to a service with 1,000 gRPC subscribers (1,000 connections): every subscriber must
// get its NotifySubscriberRequest and ack it. Latency is measured at each client from the moment
// the change was accepted (it includes the server's merge window, RNACOS_NAMING_PUSH_MERGE_MILLIS,
// default 500 ms); the server's own dispatch-to-ack latency comes from its metrics.
import { percentile } from "../lib/machine.ts";
import { recordResult } from "../lib/results.ts";
import { buildRnacos, startRnacosBinary } from "../lib/processes.ts";
import { connectNacos, type LoadConnection } from "../lib/naming-grpc-load.ts";

const SUBSCRIBERS = 1000;

export default async function namingPushFanout(): Promise<void> {
  const binary = await buildRnacos();
  const server = await startRnacosBinary(binary);
  const conns: LoadConnection[] = [];
  try {
    const address = `127.0.0.1:${server.grpcPort}`;
    let changedAt = 0;
    const latencies: number[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 50) {
      conns.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, () =>
            connectNacos(address, (type, body) => {
              const hosts = (body.serviceInfo as { hosts?: unknown[] } | undefined)?.hosts;
              if (type === "NotifySubscriberRequest" && changedAt > 0 && hosts?.length === 1) latencies.push(performance.now() - changedAt);
            }),
          ),
        )),
      );
    }
    for (const c of conns) {
      const r = await c.request("SubscribeServiceRequest", { namespace: "public", serviceName: "fanout", groupName: "DEFAULT_GROUP", subscribe: true, clusters: "", module: "naming" });
      if (r.resultCode !== 200) throw new Error(`subscribe failed: ${JSON.stringify(r)}`);
    }
    const metrics = async () => (await (await fetch(`${server.url}/nacos/v1/ns/operator/metrics`)).json()) as { subscribeCount: number; push: { delivered: number; failed: number; latencyP99Ms: number } };
    const before = await metrics();
    if (before.subscribeCount !== SUBSCRIBERS) throw new Error(`expected ${SUBSCRIBERS} subscribers, the server has ${before.subscribeCount}`);
    changedAt = performance.now();
    const res = await fetch(`${server.url}/nacos/v1/ns/instance?serviceName=fanout&ip=10.9.9.9&port=8080`, { method: "POST" });
    if ((await res.text()) !== "ok") throw new Error("the change was refused");
    const deadline = Date.now() + 30_000;
    while (latencies.length < SUBSCRIBERS && Date.now() < deadline) await Bun.sleep(20);
    let after = await metrics();
    while (after.push.delivered - before.push.delivered < SUBSCRIBERS && Date.now() < deadline) {
      await Bun.sleep(50);
      after = await metrics();
    }
    const acked = after.push.delivered - before.push.delivered;
    recordResult({
      benchmark: "naming push fan-out, 1,000 gRPC subscribers, one change",
      command: "npm run bench -- naming-push-fanout (1,000 connections subscribed to one service; one HTTP register; default 500 ms merge window)",
      figure: `${latencies.length}/${SUBSCRIBERS} received, ${acked} acked, ${after.push.failed - before.push.failed} failed; from the change: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
      baseline: `server dispatch→ack p99 ${after.push.latencyP99Ms} ms`,
      ratio: "—",
      target: "all acked, p99 reported",
      met: acked === SUBSCRIBERS && latencies.length === SUBSCRIBERS,
    });
  } finally {
    for (const c of conns) c.close();
    await server.kill();
  }
}
