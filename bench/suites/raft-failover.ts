// Failover: SIGKILL the leader of a three-node cluster while writers run against every node, and
// time from the kill to the next acknowledged write. Median of 10 kills. Target ≤ 2 s.
import { recordResult } from "../lib/results.ts";
import { median } from "../lib/machine.ts";
import { buildRnacos } from "../lib/processes.ts";
import { TestCluster } from "../../test/helpers/cluster.ts";
import { publish } from "../../test/helpers/config-writer.ts";
import { waitFor } from "../../test/helpers/server.ts";

export default async function raftFailover(): Promise<void> {
  const binary = await buildRnacos();
  const cluster = await TestCluster.start(3, { RNACOS_LOG: "warn", RNACOS_RAFT_WRITE_TIMEOUT_SECOND: "5" }, binary);
  const times: number[] = [];
  try {
    for (let round = 0; round < 10; round++) {
      const leader = await cluster.leader(20_000);
      const survivors = cluster.live().filter((n) => n.id !== leader).map((n) => cluster.url(n.id));
      let firstAckAt = 0;
      let seq = 0;
      let running = true;
      const killedAt = { t: 0 };
      const writers = Array.from({ length: 4 }, async (_, w) => {
        while (running) {
          const started = performance.now();
          const ok = await publish(survivors[(seq + w) % survivors.length]!, `failover-${round}-${seq++}`, "x", 5000);
          if (ok && killedAt.t > 0 && started >= killedAt.t && firstAckAt === 0) firstAckAt = performance.now();
          if (!ok) await Bun.sleep(5);
        }
      });
      await Bun.sleep(300);
      killedAt.t = performance.now();
      await cluster.kill(leader);
      await waitFor("a write acknowledged after the kill", () => (firstAckAt > 0 ? true : undefined), 15_000, 5);
      running = false;
      await Promise.all(writers);
      times.push(firstAckAt - killedAt.t);
      await cluster.startNode(leader);
      await cluster.waitForVoters(3);
    }
  } finally {
    await cluster.stop();
  }
  const m = median(times);
  recordResult({
    benchmark: "failover: leader SIGKILL to next acknowledged write",
    command: "npm run bench -- raft-failover (3 nodes, 4 writers on the survivors, 10 kills)",
    figure: `median ${(m / 1000).toFixed(2)} s (runs ${times.map((t) => (t / 1000).toFixed(2)).join(", ")})`,
    baseline: "-",
    ratio: "-",
    target: "≤ 2 s",
    met: m <= 2000,
  });
}
