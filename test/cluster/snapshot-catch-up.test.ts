// A follower that was down while the log was compacted past it catches up from a snapshot
// streamed in chunks over the cluster channel; a node with the wrong cluster token cannot join.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { TestCluster } from "../helpers/cluster.ts";
import { publish, read } from "../helpers/config-writer.ts";
import { freePort, startServer, tempDir, waitFor } from "../helpers/server.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.start(3, { RNACOS_RAFT_SNAPSHOT_LOG_SIZE: "50" });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

test("a follower behind the compacted log is sent a snapshot and ends up with every write", async () => {
  const leader = await cluster.leader();
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  await cluster.kill(follower);
  const url = cluster.url(leader);
  for (let i = 0; i < 300; i++) expect(await publish(url, `snap-${i}`, "x".repeat(2000) + i)).toBe(true);
  const first = (await (await fetch(`${url}/nacos/v1/raft/metrics`)).json()) as { first_log_index: number };
  expect(first.first_log_index).toBeGreaterThan(100);

  const restarted = await cluster.startNode(follower);
  await waitFor("snapshot installed", () => (restarted.output().includes("installed snapshot") ? true : undefined), 20_000);
  const followerUrl = cluster.url(follower);
  await waitFor("the follower has the last write", async () => ((await read(followerUrl, "snap-299")) === "x".repeat(2000) + 299 ? true : undefined), 20_000);
  for (const i of [0, 1, 150, 298]) expect(await read(followerUrl, `snap-${i}`)).toBe("x".repeat(2000) + i);
  // and it keeps following: a write after the snapshot arrives as a log entry
  expect(await publish(url, "after-snapshot", "tail")).toBe(true);
  await waitFor("the follower applies new entries", async () => ((await read(followerUrl, "after-snapshot")) === "tail" ? true : undefined), 10_000);
}, 90_000);

test("a node with the wrong cluster token is refused by the cluster", async () => {
  const grpc = await freePort();
  const seed = cluster.node((await cluster.leader())).env.RNACOS_RAFT_NODE_ADDR!;
  const outsider = await startServer({
    env: {
      RNACOS_RAFT_NODE_ID: "7",
      RNACOS_GRPC_PORT: String(grpc),
      RNACOS_RAFT_NODE_ADDR: `127.0.0.1:${grpc}`,
      RNACOS_RAFT_JOIN_ADDR: seed,
      RNACOS_CLUSTER_TOKEN: "not-the-token",
    },
    dataDir: join(tempDir(), "node7"),
    readyTimeoutMs: 3000,
  }).catch((err: Error) => err);
  expect(outsider).toBeInstanceOf(Error);
  expect((outsider as Error).message).toContain("cluster token missing or wrong");
  const m = await cluster.metrics(await cluster.leader());
  expect([...m.membership_config.members, ...m.learners]).not.toContain(7);
}, 30_000);
