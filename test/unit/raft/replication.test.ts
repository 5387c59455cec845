// §5.3 log replication, flow control and batching.

import { expect, test } from "bun:test";
import { entrySize } from "../../../src/raft/core/types.ts";
import { TestCluster, bytes } from "./harness.ts";

const classic = { preVote: false, checkQuorum: false };

test("§5.3 the leader replicates entries and commits them once a majority holds them", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  c.isolate(3);
  c.propose(1, "a");
  expect(c.node(1).applied).toEqual(["a"]);
  expect(c.node(2).applied).toEqual(["a"]);
  expect(c.node(3).applied).toEqual([]);
  c.recover();
  c.tick(1); // a heartbeat round finds node 3 behind and catches it up
  expect(c.node(3).applied).toEqual(["a"]);
});

test("§5.3 an entry held by a minority only is not committed", () => {
  const c = new TestCluster([1, 2, 3, 4, 5], classic);
  c.campaign(1);
  c.cut(1, 3);
  c.cut(1, 4);
  c.cut(1, 5);
  const { index } = c.propose(1, "a");
  expect(c.node(1).raw.commitIndex).toBe(index - 1);
  expect(c.node(1).applied).toEqual([]);
});

test("§5.3 a follower's conflicting uncommitted suffix is replaced by the leader's log", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  c.isolate(1);
  c.node(1).raw.propose(bytes("lost-1"));
  c.node(1).raw.propose(bytes("lost-2"));
  c.deliver();
  c.campaign(2);
  c.propose(2, "kept");
  c.recover();
  c.tick(2);
  for (const id of [1, 2, 3]) expect(c.node(id).applied).toEqual(["kept"]);
  const log = (id: number) => c.node(id).storage.allEntries().map((e) => `${e.index}/${e.term}`);
  expect(log(1)).toEqual(log(2));
});

test("§5.3 the rejection hint skips a whole diverging term in one round trip", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  c.isolate(1);
  for (let i = 0; i < 50; i++) c.node(1).raw.propose(bytes(`stale-${i}`));
  c.deliver();
  c.campaign(2);
  c.propose(2, "new");
  c.recover();
  c.tick(2);
  const rejections = c.delivered.filter((m) => m.type === "appResp" && m.from === 1 && m.reject);
  expect(rejections.length).toBeLessThanOrEqual(2);
  expect(c.node(1).applied).toEqual(["new"]);
});

test("proposals made between Readies go out as one append per follower", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  for (let i = 0; i < 10; i++) c.node(1).raw.propose(bytes(`p${i}`));
  const apps = c.takeMessages().filter((m) => m.type === "app");
  expect(apps.length).toBe(2);
  for (const m of apps) expect(m.entries.length).toBe(10);
});

test("a Ready's messages carry only entries that the same Ready hands out for persisting (or earlier ones)", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  const n = c.node(1);
  n.raw.propose(bytes("a"));
  const rd = n.raw.ready();
  const persisted = new Set(rd.entries.map((e) => e.index));
  for (const m of rd.messages) for (const e of m.entries) expect(persisted.has(e.index) || e.index <= n.storage.lastIndex()).toBe(true);
  expect(rd.mustSync).toBe(true);
  n.raw.advance();
});

test("maxSizePerMsg bounds the entry bytes of one append (at least one entry always goes)", () => {
  const limit = 100;
  const c = new TestCluster([1, 2, 3], { ...classic, maxSizePerMsg: limit });
  c.campaign(1);
  c.isolate(2);
  for (let i = 0; i < 30; i++) c.propose(1, `entry-${i}`);
  c.recover();
  c.tick(1, 5);
  const apps = c.delivered.filter((m) => m.type === "app" && m.to === 2 && m.entries.length > 1);
  expect(apps.length).toBeGreaterThan(0);
  for (const m of apps) expect(m.entries.reduce((s, e) => s + entrySize(e), 0)).toBeLessThanOrEqual(limit);
  expect(c.node(2).applied.length).toBe(30);
});

test("the inflight window bounds unacknowledged appends to a follower in replicate state", () => {
  const c = new TestCluster([1, 2, 3], { ...classic, maxInflightMsgs: 2 });
  c.campaign(1);
  c.filter = (m) => !(m.type === "appResp" && m.from === 2);
  const before = c.delivered.length;
  for (let i = 0; i < 10; i++) c.propose(1, `x${i}`);
  const withEntries = c.delivered.slice(before).filter((m) => m.type === "app" && m.to === 2 && m.entries.length > 0);
  expect(withEntries.length).toBe(2);
  // Node 3 acknowledges, so everything commits anyway.
  expect(c.node(1).applied.length).toBe(10);
  // Once acks flow again the window reopens and node 2 catches up.
  c.recover();
  c.tick(1, 3);
  expect(c.node(2).applied.length).toBe(10);
});

test("a full window whose messages were all lost recovers through the heartbeat-triggered empty append", () => {
  const c = new TestCluster([1, 2, 3], { ...classic, maxInflightMsgs: 1 });
  c.campaign(1);
  c.filter = (m) => !(m.type === "app" && m.to === 2 && m.entries.length > 0);
  c.propose(1, "lost");
  c.filter = null;
  c.propose(1, "next"); // window to node 2 is full: nothing more goes out on the proposal
  expect(c.node(2).applied).toEqual([]);
  c.tick(1, 3);
  expect(c.node(2).applied).toEqual(["lost", "next"]);
});
