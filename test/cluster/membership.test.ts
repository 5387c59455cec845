// Real processes: a cluster grows by joining, survives losing its leader, and is managed with
// `rnacos cluster ...` against any node.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TestCluster } from "../helpers/cluster.ts";
import { freePort, runRnacos, tempDir, waitFor } from "../helpers/server.ts";
import { join } from "node:path";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.start(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe("three nodes formed with RNACOS_RAFT_JOIN_ADDR", () => {
  test("every node reports the same leader, term and three voters", async () => {
    const leader = await cluster.leader();
    const views = await Promise.all([1, 2, 3].map((id) => cluster.metrics(id)));
    for (const v of views) {
      expect(v.current_leader).toBe(leader);
      expect(v.membership_config.members.sort()).toEqual([1, 2, 3]);
    }
    expect(new Set(views.map((v) => v.current_term)).size).toBe(1);
  });

  test("rnacos cluster status prints role, log positions and members", async () => {
    const { code, stdout } = await cluster.cli(2, ["status"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^node 2: (Leader|Follower), term \d+, leader \d/);
    expect(stdout).toMatch(/log: last \d+, commit \d+, applied \d+/);
    for (const id of [1, 2, 3]) expect(stdout).toMatch(new RegExp(`\\n  ${id} +voter +127\\.0\\.0\\.1:${cluster.node(id).env.RNACOS_GRPC_PORT}`));
  });

  test("changes without the cluster token are refused; an unreachable node is named", async () => {
    const refused = await cluster.cli(1, ["remove", "3"], "wrong-token");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("cluster token missing or wrong");
    const port = await freePort();
    const down = await runRnacos(["cluster", "status"], { env: { RNACOS_HTTP_PORT: String(port) } });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach rnacos at http://127.0.0.1:${port}`);
    const usage = await cluster.cli(1, ["remove"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("needs a node id");
  });

  test("leadership moves with rnacos cluster transfer-leader", async () => {
    const leader = await cluster.leader();
    const target = [1, 2, 3].find((id) => id !== leader)!;
    const { code, stdout } = await cluster.cli(leader, ["transfer-leader", String(target)]);
    expect(code).toBe(0);
    expect(stdout).toContain(`leadership transfer to node ${target}`);
    await waitFor(`node ${target} leads`, async () => ((await cluster.leader()) === target ? true : undefined), 10_000, 50);
  });

  test("SIGKILL of the leader: the others elect a new one; the old one rejoins as a follower", async () => {
    const old = await cluster.leader();
    const oldTerm = (await cluster.metrics(old)).current_term;
    await cluster.kill(old);
    const next = await cluster.leader();
    expect(next).not.toBe(old);
    expect((await cluster.metrics(next)).current_term).toBeGreaterThan(oldTerm);
    await cluster.startNode(old);
    await waitFor("the old leader follows", async () => ((await cluster.metrics(old)).current_leader === next ? true : undefined), 15_000, 50);
  }, 60_000);
});

describe("a waiting node joins with rnacos cluster join, and leaves", () => {
  test("a node with an empty data dir and no join address waits, not ready, until it joins; then it leaves", async () => {
    const grpc = await freePort();
    const env = { RNACOS_RAFT_NODE_ID: "9", RNACOS_GRPC_PORT: String(grpc), RNACOS_RAFT_NODE_ADDR: `127.0.0.1:${grpc}`, RNACOS_CLUSTER_TOKEN: "test-cluster-token", RNACOS_RAFT_AUTO_INIT: "false" };
    const dataDir = join(tempDir(), "node9");
    // start without waiting for readiness: it only becomes ready after joining
    const http = await freePort();
    const proc = Bun.spawn([process.execPath, "--no-env-file", join(import.meta.dir, "../../src/main.ts")], {
      env: { PATH: process.env.PATH ?? "", RNACOS_SDK_HOST: "127.0.0.1", RNACOS_HTTP_PORT: String(http), RNACOS_HTTP_CONSOLE_PORT: String(await freePort()), RNACOS_DATA_DIR: dataDir, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      await waitFor("node 9 listening", async () => ((await fetch(`http://127.0.0.1:${http}/nacos/v1/console/health/liveness`).catch(() => undefined))?.ok ? true : undefined));
      expect((await fetch(`http://127.0.0.1:${http}/nacos/v1/console/health/readiness`)).status).toBe(503);
      const member = cluster.node(cluster.live()[0]!.id).env.RNACOS_RAFT_NODE_ADDR!;
      const joined = await runRnacos(["cluster", "join", member], { env: { RNACOS_HTTP_PORT: String(http), RNACOS_CLUSTER_TOKEN: "test-cluster-token" } });
      expect(joined.stderr).toBe("");
      expect(joined.code).toBe(0);
      await waitFor("node 9 ready", async () => ((await fetch(`http://127.0.0.1:${http}/nacos/v1/console/health/readiness`)).status === 200 ? true : undefined), 15_000);
      await waitFor("node 9 is a voter", async () => ((await cluster.metrics(await cluster.leader())).membership_config.members.includes(9) ? true : undefined), 15_000, 50);
      const again = await runRnacos(["cluster", "join", member], { env: { RNACOS_HTTP_PORT: String(http), RNACOS_CLUSTER_TOKEN: "test-cluster-token" } });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("already belongs to a cluster");
      const left = await runRnacos(["cluster", "leave"], { env: { RNACOS_HTTP_PORT: String(http), RNACOS_CLUSTER_TOKEN: "test-cluster-token" } });
      expect(left.code).toBe(0);
      await waitFor("node 9 removed", async () => {
        const m = await cluster.metrics(await cluster.leader());
        return !m.membership_config.members.includes(9) && !m.learners.includes(9) ? true : undefined;
      }, 15_000, 50);
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }, 60_000);
});

describe("planned stop", () => {
  test("SIGTERM of the leader hands leadership over before it exits", async () => {
    const leader = await cluster.leader();
    const server = cluster.node(leader).server!;
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output()).toContain("handing leadership over before stopping");
    const next = await cluster.leader(3000);
    expect(next).not.toBe(leader);
    await cluster.startNode(leader);
    await waitFor("the stopped leader rejoins", async () => ((await cluster.metrics(leader)).current_leader === next ? true : undefined), 15_000, 50);
  }, 60_000);
});
