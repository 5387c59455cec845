// §5.4.2 committing entries from previous terms, and how commit reaches followers.

import { expect, test } from "bun:test";
import { newMessage } from "../../../src/raft/core/types.ts";
import type { Message } from "../../../src/raft/core/types.ts";
import { TestCluster, bytes } from "./harness.ts";

const classic = { preVote: false, checkQuorum: false, maxSizePerMsg: 1 };

/** Appends arrive without their entries of `term` (and anything after them). */
function withoutTerm(term: number): (m: Message) => Message {
  return (m) => {
    if (m.type !== "app") return m;
    const cut = m.entries.findIndex((e) => e.term === term);
    return cut < 0 ? m : { ...m, entries: m.entries.slice(0, cut) };
  };
}

/**
 * Figure 8: S1 (term 2) replicates index 3 to S2 only; S5 wins term 3 and writes its own index 3;
 * S1 wins term 4 and replicates its term-2 entry to a majority. Counting replicas would commit it,
 * yet S5 could still be elected and overwrite it. Only an entry of the current term commits.
 */
test("§5.4.2 a leader never commits an entry of an earlier term by counting replicas", () => {
  const c = new TestCluster([1, 2, 3, 4, 5], classic);
  c.campaign(1); // term 2, no-op at 2 committed everywhere
  for (const id of [3, 4, 5]) c.cut(1, id);
  c.propose(1, "from-term-2"); // index 3 on S1, S2
  c.recover();
  c.isolate(1);
  c.dropTypes.add("app");
  c.campaign(5); // term 3 with votes of S3, S4; its no-op (index 3, term 3) stays on S5
  expect(c.node(5).raw.role).toBe("leader");
  c.recover();
  c.isolate(5);
  c.dropTypes.add("app");
  c.node(1).restart(); // S1 crashed meanwhile and comes back as a follower of term 2
  c.campaign(1); // term 3: S3 and S4 already voted for S5 in term 3, so this round is lost
  c.campaign(1); // term 4 with votes of S2, S3, S4
  const s1 = c.node(1);
  expect(s1.raw.role).toBe("leader");
  expect(s1.raw.term).toBe(4);
  // Appends lose their term-4 entries on the way: index 3 (term 2) reaches a majority, index 4 nobody.
  c.dropTypes.clear();
  c.transform = withoutTerm(4);
  c.tick(1, 5);
  const matches = [2, 3, 4].filter((id) => c.node(id).storage.allEntries().some((e) => e.index === 3 && e.term === 2));
  expect(matches.length).toBeGreaterThanOrEqual(2); // with S1: a majority of 5
  expect(s1.raw.commitIndex).toBe(2);
  expect(s1.applied).toEqual([]);
  // Once its own no-op (index 4, term 4) reaches a majority, both commit together.
  c.transform = null;
  c.tick(1, 3);
  expect(s1.raw.commitIndex).toBe(4);
  expect(s1.applied).toEqual(["from-term-2"]);
});

test("§5.4.2 the danger it prevents: the uncommitted term-2 entry can still be overwritten", () => {
  const c = new TestCluster([1, 2, 3, 4, 5], classic);
  c.campaign(1);
  for (const id of [3, 4, 5]) c.cut(1, id);
  c.propose(1, "from-term-2");
  c.recover();
  c.isolate(1);
  c.dropTypes.add("app");
  c.campaign(5);
  c.recover();
  c.isolate(5);
  c.dropTypes.add("app");
  c.node(1).restart();
  c.campaign(1);
  c.campaign(1);
  c.dropTypes.clear();
  c.transform = withoutTerm(4);
  c.tick(1, 5);
  // S1 crashes before its term-4 entry spreads; S5 (last entry term 3) wins with S2..S4.
  c.recover();
  c.isolate(1);
  c.node(5).restart(); // S5 is still leader of term 3 in its own eyes
  c.campaign(5); // term 4 is taken (S1's)
  c.campaign(5); // term 5: S2..S4 end in term 2 < 3, so S5's log is more up to date
  expect(c.node(5).raw.role).toBe("leader");
  c.propose(5, "from-s5");
  for (const id of [2, 3, 4, 5]) expect(c.node(id).applied).toEqual(["from-s5"]);
});

test("followers learn commit from heartbeats only up to what they are known to hold", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: false });
  c.campaign(1);
  c.isolate(3);
  c.propose(1, "a");
  c.propose(1, "b");
  c.recover();
  const hbs = c.takeMessages();
  c.node(1).raw.tick();
  const heartbeats = c.takeMessages().filter((m) => m.type === "heartbeat");
  expect(hbs.length).toBe(0);
  const to3 = heartbeats.find((m) => m.to === 3)!;
  const to2 = heartbeats.find((m) => m.to === 2)!;
  expect(to2.commit).toBe(c.node(1).raw.commitIndex);
  expect(to3.commit).toBeLessThan(c.node(1).raw.commitIndex);
});

test("committed entries are applied once, in order, and a restart resumes after the applied index", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: false });
  c.campaign(1);
  c.propose(1, "a");
  c.propose(1, "b");
  const n2 = c.node(2);
  c.tick(1); // spread the latest commit
  expect(n2.applied).toEqual(["a", "b"]);
  n2.restart();
  c.propose(1, "c");
  c.tick(1);
  expect(n2.applied).toEqual(["a", "b", "c"]);
});

test("a restarted node re-applies committed entries above its applied index", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false, checkQuorum: false });
  c.campaign(1);
  c.propose(1, "a");
  const n3 = c.node(3);
  c.tick(1);
  // Pretend the state machine lost its last applies: it restarts from an older applied index.
  n3.appliedIndex = 2;
  n3.applied = [];
  n3.restart();
  n3.processReady();
  expect(n3.applied).toEqual(["a"]);
});

test("an append from an old term is answered with the current term so a stale leader steps down", () => {
  const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true });
  c.campaign(1);
  c.isolate(1);
  // Node 1 steps down (check-quorum) and 2 or 3 takes over once leases expire.
  for (let i = 0; i < 100 && !(c.node(2).raw.role === "leader" || c.node(3).raw.role === "leader"); i++) c.tickAll();
  expect(c.node(1).raw.term).toBe(2);
  expect(c.node(2).raw.term).toBe(3);
  c.recover();
  const stale = newMessage("app", 1, c.node(2).raw.role === "leader" ? 3 : 2, 2);
  stale.index = 2;
  stale.logTerm = 2;
  stale.entries = [{ index: 3, term: 2, type: "normal", data: bytes("stale") }];
  c.send(stale);
  c.deliver();
  expect(c.node(1).raw.role).toBe("follower");
  expect(c.node(1).raw.term).toBe(3);
});
