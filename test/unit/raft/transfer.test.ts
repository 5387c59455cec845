// §3.10 of the thesis: leadership transfer (TimeoutNow).

import { expect, test } from "bun:test";
import { NotLeaderError, ProposalDroppedError } from "../../../src/raft/core/errors.ts";
import { TestCluster, bytes } from "./harness.ts";

const opts = { preVote: true, checkQuorum: true };

test("§3.10 the leader hands over to an up-to-date follower with TimeoutNow", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.propose(1, "a");
  c.node(1).raw.transferLeader(3);
  c.deliver();
  expect(c.node(3).raw.role).toBe("leader");
  expect(c.node(1).raw.role).toBe("follower");
  expect(c.node(1).raw.leader).toBe(3);
  expect(c.delivered.some((m) => m.type === "timeoutNow" && m.to === 3)).toBe(true);
  // The transfer campaign skips pre-vote and passes the followers' leases.
  expect(c.delivered.some((m) => m.type === "vote" && m.from === 3 && m.transfer)).toBe(true);
});

test("§3.10 a lagging target is caught up before TimeoutNow is sent", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.isolate(3);
  for (let i = 0; i < 5; i++) c.propose(1, `p${i}`);
  c.recover();
  const before = c.delivered.length;
  c.node(1).raw.transferLeader(3);
  c.deliver();
  expect(c.node(3).raw.role).toBe("leader");
  // TimeoutNow went out only after node 3 acknowledged the leader's whole log.
  const after = c.delivered.slice(before);
  const timeoutAt = after.findIndex((m) => m.type === "timeoutNow");
  const catchUp = after.findIndex((m) => m.type === "appResp" && m.from === 3 && !m.reject && m.index === 7);
  expect(catchUp).toBeGreaterThanOrEqual(0);
  expect(timeoutAt).toBeGreaterThan(catchUp);
  c.propose(3, "after");
  c.tickAll(1);
  for (const id of [1, 2, 3]) expect(c.node(id).applied).toEqual(["p0", "p1", "p2", "p3", "p4", "after"]);
});

test("§3.10 proposals are refused while a transfer is under way", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.isolate(3);
  c.node(1).raw.transferLeader(3);
  expect(() => c.node(1).raw.propose(bytes("x"))).toThrow(ProposalDroppedError);
});

test("§3.10 a transfer that does not finish within an election timeout is abandoned", () => {
  const c = new TestCluster([1, 2, 3], { ...opts, electionTick: 10 });
  c.campaign(1);
  c.cut(1, 3);
  c.node(1).raw.transferLeader(3);
  c.tick(1, 11);
  expect(c.node(1).raw.role).toBe("leader");
  expect(c.node(1).raw.status().leadTransferee).toBe(0);
  expect(() => c.propose(1, "ok")).not.toThrow();
});

test("transfer is a leader-only request; learners are not valid targets", () => {
  const c = new TestCluster([1, 2, 3], opts, [4]);
  c.campaign(1);
  expect(() => c.node(2).raw.transferLeader(3)).toThrow(NotLeaderError);
  expect(() => c.node(1).raw.transferLeader(4)).toThrow(ProposalDroppedError);
});
