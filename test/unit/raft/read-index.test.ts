// §6.4 processing read-only queries (ReadIndex).

import { expect, test } from "bun:test";
import { NotLeaderError } from "../../../src/raft/core/errors.ts";
import { TestCluster, bytes } from "./harness.ts";

const opts = { preVote: true, checkQuorum: true };

test("§6.4 the leader answers a read after a heartbeat round confirms its leadership", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.propose(1, "a");
  const l = c.node(1);
  l.raw.readIndex(bytes("r1"));
  const msgs = c.takeMessages();
  expect(l.readStates).toEqual([]);
  const hbs = msgs.filter((m) => m.type === "heartbeat");
  expect(hbs.length).toBe(2);
  expect(new TextDecoder().decode(hbs[0]!.context)).toBe("r1");
  for (const m of msgs) c.send(m);
  c.deliver();
  expect(l.readStates.length).toBe(1);
  expect(l.readStates[0]!.index).toBe(l.raw.commitIndex);
  expect(new TextDecoder().decode(l.readStates[0]!.ctx)).toBe("r1");
});

test("§6.4 a leader cut off from the majority cannot serve reads", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.isolate(1);
  c.node(1).raw.readIndex(bytes("r"));
  c.tick(1, 5);
  expect(c.node(1).readStates).toEqual([]);
});

test("§6.4 a follower forwards the read to the leader and gets the read index back", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.propose(1, "a");
  const f = c.node(3);
  f.raw.readIndex(bytes("f1"));
  c.deliver();
  expect(f.readStates.length).toBe(1);
  expect(f.readStates[0]!.index).toBe(c.node(1).raw.commitIndex);
});

test("§6.4 a new leader defers reads until an entry of its own term is committed", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.dropTypes.add("app");
  c.campaign(1); // leader of term 2, its no-op not committed
  const l = c.node(1);
  l.raw.readIndex(bytes("early"));
  c.deliver();
  expect(l.readStates).toEqual([]);
  c.dropTypes.clear();
  c.tick(1, 3);
  expect(l.readStates.length).toBe(1);
  expect(l.readStates[0]!.index).toBeGreaterThanOrEqual(2);
});

test("§6.4 one heartbeat round confirms every read queued before it", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  const l = c.node(1);
  c.filter = (m) => m.type !== "heartbeatResp";
  for (const ctx of ["a", "b", "c"]) l.raw.readIndex(bytes(ctx));
  c.deliver();
  expect(l.readStates).toEqual([]);
  c.filter = null;
  c.tick(1); // the periodic heartbeat carries the newest pending context
  expect(l.readStates.map((r) => new TextDecoder().decode(r.ctx))).toEqual(["a", "b", "c"]);
});

test("a read on a one-node cluster is answered at once", () => {
  const c = new TestCluster([1]);
  c.campaign(1);
  c.node(1).raw.readIndex(bytes("solo"));
  c.flush();
  expect(c.node(1).readStates.length).toBe(1);
});

test("a read with no known leader fails fast with NotLeaderError", () => {
  const c = new TestCluster([1, 2, 3], opts);
  expect(() => c.node(2).raw.readIndex(bytes("x"))).toThrow(NotLeaderError);
});
