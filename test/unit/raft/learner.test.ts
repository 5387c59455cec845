// Learners (§4.2.1 of the thesis: non-voting members catch up before they count).

import { expect, test } from "bun:test";
import { NotLeaderError } from "../../../src/raft/core/errors.ts";
import { TestCluster, bytes } from "./harness.ts";

const opts = { preVote: true, checkQuorum: true };

test("a learner receives and applies the log", () => {
  const c = new TestCluster([1, 2, 3], opts, [4]);
  c.campaign(1);
  c.propose(1, "a");
  c.tickAll(1);
  expect(c.node(4).applied).toEqual(["a"]);
});

test("a learner never campaigns", () => {
  const c = new TestCluster([1, 2, 3], opts, [4]);
  c.isolate(4);
  c.tick(4, 200);
  expect(c.node(4).raw.role).toBe("follower");
  expect(c.node(4).raw.term).toBe(1);
  c.node(4).raw.campaign();
  expect(c.node(4).raw.role).toBe("follower");
});

test("a learner does not count towards the commit quorum", () => {
  const c = new TestCluster([1, 2, 3], opts, [4, 5]);
  c.campaign(1);
  c.cut(1, 2);
  c.cut(1, 3);
  const { index } = c.propose(1, "a");
  expect(c.node(4).storage.lastIndex()).toBe(index);
  expect(c.node(1).raw.commitIndex).toBeLessThan(index);
});

test("a learner's vote does not count towards an election", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: false }, [4, 5]);
  c.cut(1, 2);
  c.cut(1, 3);
  c.campaign(1);
  // Learners 4 and 5 may answer, but only voters count: 1 of 3 is not a majority.
  expect(c.node(1).raw.role).toBe("candidate");
});

test("a learner cannot propose: it names the leader instead", () => {
  const c = new TestCluster([1, 2, 3], opts, [4]);
  c.campaign(1);
  let err: unknown;
  try {
    c.node(4).raw.propose(bytes("x"));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NotLeaderError);
  expect((err as NotLeaderError).leader).toBe(1);
});
