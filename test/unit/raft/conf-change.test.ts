// Membership changes, one server at a time (§4.1 of the thesis), applied when committed.

import { expect, test } from "bun:test";
import { changeConf, decodeConfChange, encodeConfChange } from "../../../src/raft/core/conf-change.ts";
import { ProposalDroppedError } from "../../../src/raft/core/errors.ts";
import { MemoryStorage } from "../../../src/raft/core/memory-storage.ts";
import { RawNode } from "../../../src/raft/core/raw-node.ts";
import { TestCluster, bytes } from "./harness.ts";

const opts = { preVote: true, checkQuorum: true };

test("conf change entries round-trip through their encoding", () => {
  const cc = { type: "addLearner" as const, nodeId: 123456789, context: bytes("10.0.0.7:9848") };
  expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
  expect(decodeConfChange(encodeConfChange({ type: "removeNode", nodeId: 2 }))).toEqual({ type: "removeNode", nodeId: 2 });
});

test("changeConf changes one member and refuses no-ops and an empty voter set", () => {
  const conf = { voters: [1, 2, 3], learners: [4] };
  expect(changeConf(conf, { type: "addVoter", nodeId: 4 })).toEqual({ voters: [1, 2, 3, 4], learners: [] });
  expect(changeConf(conf, { type: "addLearner", nodeId: 3 })).toEqual({ voters: [1, 2], learners: [3, 4] });
  expect(changeConf(conf, { type: "removeNode", nodeId: 4 })).toEqual({ voters: [1, 2, 3], learners: [] });
  expect(changeConf(conf, { type: "addVoter", nodeId: 1 })).toBeNull();
  expect(changeConf(conf, { type: "removeNode", nodeId: 9 })).toBeNull();
  expect(changeConf({ voters: [1], learners: [] }, { type: "removeNode", nodeId: 1 })).toBeNull();
});

test("§4.1 a new node joins as a learner from an empty log, is promoted, and then counts", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.propose(1, "before");
  c.addEmptyNode(4, opts);
  c.node(1).raw.proposeConfChange({ type: "addLearner", nodeId: 4 });
  c.deliver();
  c.tickAll(3);
  const n4 = c.node(4);
  // The founders' log starts after the bootstrap snapshot, so the joiner gets a snapshot first.
  expect(n4.snapshots.length).toBe(1);
  expect(n4.conf).toEqual({ voters: [1, 2, 3], learners: [4] });
  c.node(1).raw.proposeConfChange({ type: "addVoter", nodeId: 4 });
  c.deliver();
  c.tickAll(2);
  expect(c.node(1).conf.voters).toEqual([1, 2, 3, 4]);
  expect(n4.conf.voters).toEqual([1, 2, 3, 4]);
  // With 4 voters a majority is 3: leader + node 4 alone cannot commit.
  c.cut(1, 2);
  c.cut(1, 3);
  const { index } = c.propose(1, "needs-3");
  expect(c.node(1).raw.commitIndex).toBeLessThan(index);
});

test("§4.1 only one membership change at a time: the next waits until the previous is applied", () => {
  const c = new TestCluster([1, 2, 3], opts, [4, 5]);
  c.campaign(1);
  const l = c.node(1).raw;
  l.proposeConfChange({ type: "addVoter", nodeId: 4 });
  expect(() => l.proposeConfChange({ type: "addVoter", nodeId: 5 })).toThrow(ProposalDroppedError);
  c.deliver();
  c.tickAll(1);
  expect(() => l.proposeConfChange({ type: "addVoter", nodeId: 5 })).not.toThrow();
});

test("§4.1 a new leader accepts no change while its log holds an unapplied one from an earlier term", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: false }, [4, 5]);
  c.campaign(1);
  // Node 1 replicates a change to 2 and 3 but never hears back: it is in their logs, uncommitted.
  c.filter = (m) => m.type !== "appResp";
  c.node(1).raw.proposeConfChange({ type: "addVoter", nodeId: 4 });
  c.deliver();
  c.recover();
  c.isolate(1);
  c.dropTypes.add("app");
  c.campaign(2);
  const l2 = c.node(2).raw;
  expect(l2.role).toBe("leader");
  let err: unknown;
  try {
    l2.proposeConfChange({ type: "addVoter", nodeId: 5 });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProposalDroppedError);
  expect((err as ProposalDroppedError).reason).toBe("confChangePending");
  // Once its no-op commits, the inherited change is applied and the next one is accepted.
  c.dropTypes.clear();
  c.tick(2, 2);
  expect(c.node(2).conf.voters).toEqual([1, 2, 3, 4]);
  expect(() => l2.proposeConfChange({ type: "addVoter", nodeId: 5 })).not.toThrow();
});

test("changes that change nothing are refused at proposal", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  expect(() => c.node(1).raw.proposeConfChange({ type: "addVoter", nodeId: 2 })).toThrow(ProposalDroppedError);
});

test("a removed node stops campaigning", () => {
  const c = new TestCluster([1, 2, 3, 4], opts);
  c.campaign(1);
  c.node(1).raw.proposeConfChange({ type: "removeNode", nodeId: 4 });
  c.deliver();
  c.tickAll(2);
  expect(c.node(4).conf.voters).toEqual([1, 2, 3]);
  c.isolate(4);
  const term = c.node(4).raw.term;
  c.tick(4, 200);
  expect(c.node(4).raw.role).toBe("follower");
  expect(c.node(4).raw.term).toBe(term);
});

test("a leader that removes itself steps down and the rest elect a new leader", () => {
  const c = new TestCluster([1, 2, 3, 4], opts);
  c.campaign(1);
  c.node(1).raw.proposeConfChange({ type: "removeNode", nodeId: 1 });
  c.deliver();
  expect(c.node(1).raw.role).toBe("follower");
  for (let i = 0; i < 100 && c.leaders().length === 0; i++) c.tickAll();
  const l = c.leaders()[0]!;
  expect([2, 3, 4]).toContain(l.id);
  c.propose(l.id, "after");
  c.tickAll(1);
  for (const id of [2, 3, 4]) expect(c.node(id).applied).toEqual(["after"]);
});

test("removing a voter shrinks the majority so pending entries can commit", () => {
  const c = new TestCluster([1, 2, 3, 4], opts);
  c.campaign(1);
  c.isolate(4);
  c.cut(1, 3);
  // 1 and 2 are 2 of 4: nothing commits.
  const { index } = c.propose(1, "x");
  expect(c.node(1).raw.commitIndex).toBeLessThan(index);
  c.recover();
  c.isolate(4);
  c.node(1).raw.proposeConfChange({ type: "removeNode", nodeId: 4 });
  c.deliver();
  c.tickAll(2);
  expect(c.node(1).conf.voters).toEqual([1, 2, 3]);
  expect(c.node(1).applied).toEqual(["x"]);
});

test("a node does not campaign while a committed conf change is still unapplied (its membership is stale)", () => {
  const storage = MemoryStorage.bootstrap([1, 2, 3]);
  storage.append([{ index: 2, term: 1, type: "confChange", data: encodeConfChange({ type: "addVoter", nodeId: 4 }) }]);
  storage.setHardState({ term: 1, vote: 0, commit: 2 });
  const n = new RawNode({ id: 1, storage, applied: 1, preVote: false });
  n.campaign();
  expect(n.role).toBe("follower");
  expect(n.term).toBe(1);
  const rd = n.ready();
  expect(rd.committedEntries.map((e) => e.type)).toEqual(["confChange"]);
  const conf = n.applyConfChange(decodeConfChange(rd.committedEntries[0]!.data));
  storage.setConfState(conf);
  n.advance();
  n.campaign();
  expect(n.role).toBe("candidate");
  expect(n.ready().messages.map((m) => m.to).sort()).toEqual([2, 3, 4]);
});
