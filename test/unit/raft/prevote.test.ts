// §9.6 preventing disruptions when a server rejoins the cluster (pre-vote).

import { expect, test } from "bun:test";
import { TestCluster } from "./harness.ts";

test("§9.6 an isolated node's pre-votes fail and its term does not grow", () => {
  const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: false });
  c.campaign(1);
  c.isolate(3);
  c.tick(3, 100);
  expect(c.node(3).raw.term).toBe(2);
  expect(c.node(3).raw.role).toBe("preCandidate");
});

test("§9.6 a rejoining node does not depose a working leader", () => {
  const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true });
  c.campaign(1);
  c.isolate(3);
  c.tickAll(100);
  c.recover();
  c.tickAll(30);
  expect(c.node(1).raw.role).toBe("leader");
  expect(c.node(1).raw.term).toBe(2);
  expect(c.node(3).raw.leader).toBe(1);
});

test("§9.6 a pre-vote is granted without changing the voter's term or vote", () => {
  const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: false });
  c.dropTypes.add("vote"); // stop after the pre-vote round
  c.campaign(1);
  for (const id of [2, 3]) {
    expect(c.node(id).raw.term).toBe(1);
    expect(c.node(id).raw.status().vote).toBe(0);
  }
  const granted = c.delivered.filter((m) => m.type === "preVoteResp" && !m.reject);
  expect(granted.length).toBe(2);
  expect(granted.every((m) => m.term === 2)).toBe(true);
  expect(c.node(1).raw.role).toBe("candidate");
  expect(c.node(1).raw.term).toBe(2);
});

test("§9.6 without pre-vote, a rejoining node with a higher term forces an election", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: false });
  c.campaign(1);
  c.isolate(3);
  c.tick(3, 50);
  expect(c.node(3).raw.term).toBeGreaterThan(2);
  c.recover();
  c.tickAll(25);
  expect(c.node(1).raw.term).toBeGreaterThan(2);
});
