// Check-quorum and the leader lease (§6.2, §4.2.3 of the thesis).

import { expect, test } from "bun:test";
import { newMessage } from "../../../src/raft/core/types.ts";
import { TestCluster } from "./harness.ts";

test("check-quorum: a leader that hears from no majority for an election timeout steps down", () => {
  const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true, electionTick: 10 });
  c.campaign(1);
  c.isolate(1);
  c.tick(1, 9);
  expect(c.node(1).raw.role).toBe("leader");
  c.tick(1, 12);
  expect(c.node(1).raw.role).toBe("follower");
  expect(c.node(1).raw.leader).toBe(0);
});

test("check-quorum: a leader that hears from a majority stays leader", () => {
  const c = new TestCluster([1, 2, 3, 4, 5], { preVote: true, checkQuorum: true });
  c.campaign(1);
  c.cut(1, 4);
  c.cut(1, 5);
  for (let i = 0; i < 50; i++) c.tick(1);
  expect(c.node(1).raw.role).toBe("leader");
});

test("leader lease: a follower that recently heard from its leader ignores vote requests", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: true });
  c.campaign(1);
  const n2 = c.node(2);
  const vote = newMessage("vote", 3, 2, 5);
  vote.index = 100;
  vote.logTerm = 100;
  n2.raw.step(vote);
  expect(n2.raw.term).toBe(2);
  expect(n2.processReady().filter((m) => m.type === "voteResp").length).toBe(0);
});

test("leader lease: a vote request sent for a leadership transfer is answered despite the lease", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: true });
  c.campaign(1);
  const n2 = c.node(2);
  const vote = newMessage("vote", 3, 2, 3);
  vote.index = 100;
  vote.logTerm = 100;
  vote.transfer = true;
  n2.raw.step(vote);
  expect(n2.raw.term).toBe(3);
  const resp = n2.processReady().find((m) => m.type === "voteResp")!;
  expect(resp.reject).toBe(false);
});

test("a partitioned minority leader steps down and the majority elects a new one", () => {
  const c = new TestCluster([1, 2, 3, 4, 5], { preVote: true, checkQuorum: true });
  c.campaign(1);
  c.cut(1, 3);
  c.cut(1, 4);
  c.cut(1, 5);
  c.cut(2, 3);
  c.cut(2, 4);
  c.cut(2, 5);
  const majorityLeader = () => c.leaders().filter((n) => [3, 4, 5].includes(n.id));
  for (let i = 0; i < 200 && majorityLeader().length === 0; i++) c.tickAll();
  c.tickAll(30);
  const leaders = c.leaders();
  expect(leaders.length).toBe(1);
  expect([3, 4, 5]).toContain(leaders[0]!.id);
  expect(c.node(1).raw.role).not.toBe("leader");
});
