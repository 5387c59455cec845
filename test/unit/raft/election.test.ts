// §5.2 leader election, §5.4.1 election restriction.

import { expect, test } from "bun:test";
import { MemoryStorage } from "../../../src/raft/core/memory-storage.ts";
import { RawNode } from "../../../src/raft/core/raw-node.ts";
import { Rng } from "../../../src/raft/core/rng.ts";
import { newMessage } from "../../../src/raft/core/types.ts";
import { TestCluster } from "./harness.ts";

const classic = { preVote: false, checkQuorum: false };

test("§5.2 a follower that hears nothing for an election timeout becomes a candidate and votes for itself", () => {
  const n = new RawNode({ id: 1, storage: MemoryStorage.bootstrap([1, 2, 3]), electionTick: 10, ...classic });
  for (let i = 0; i < 19; i++) n.tick();
  expect(n.role).toBe("candidate");
  const rd = n.ready();
  expect(rd.hardState).toEqual({ term: 2, vote: 1, commit: 1 });
  expect(rd.messages.map((m) => [m.type, m.to, m.term])).toEqual([
    ["vote", 2, 2],
    ["vote", 3, 2],
  ]);
  expect(rd.mustSync).toBe(true);
});

test("§5.2 election timeouts are randomised in [electionTick, 2*electionTick)", () => {
  const seen = new Set<number>();
  for (let seed = 1; seed <= 200; seed++) {
    const n = new RawNode({ id: 1, storage: MemoryStorage.bootstrap([1, 2, 3]), electionTick: 10, random: new Rng(seed).asFunction(), ...classic });
    let ticks = 0;
    while (n.role === "follower") {
      n.tick();
      ticks++;
    }
    seen.add(ticks);
  }
  expect(Math.min(...seen)).toBeGreaterThanOrEqual(10);
  expect(Math.max(...seen)).toBeLessThan(20);
  expect(seen.size).toBeGreaterThan(5);
});

test("§5.2 a candidate with votes from a majority becomes leader and appends a no-op of its term", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  const l = c.node(1);
  expect(l.raw.role).toBe("leader");
  expect(l.raw.term).toBe(2);
  const last = l.storage.allEntries().at(-1)!;
  expect(last).toMatchObject({ index: 2, term: 2, type: "normal" });
  expect(last.data.length).toBe(0);
  expect(c.node(2).raw.leader).toBe(1);
  expect(c.node(3).raw.leader).toBe(1);
  // The no-op commits once a majority holds it.
  expect(l.raw.commitIndex).toBe(2);
});

test("§5.2 a candidate without a majority does not become leader", () => {
  const c = new TestCluster([1, 2, 3, 4, 5], classic);
  c.isolate(1);
  c.cut(1, 2);
  c.campaign(1);
  expect(c.node(1).raw.role).toBe("candidate");
});

test("§5.2 each node votes for at most one candidate per term", () => {
  const n = new RawNode({ id: 3, storage: MemoryStorage.bootstrap([1, 2, 3]), ...classic });
  const vote = (from: number) => {
    const m = newMessage("vote", from, 3, 2);
    m.index = 1;
    m.logTerm = 1;
    n.step(m);
    return n.ready().messages[0]!;
  };
  const first = vote(1);
  n.advance();
  expect(first.reject).toBe(false);
  const second = vote(2);
  n.advance();
  expect(second.reject).toBe(true);
  // Asking again for the same candidate is answered the same way (lost responses are retried).
  expect(vote(1).reject).toBe(false);
});

test("§5.2 a candidate that hears from a leader of its term steps down to follower", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.isolate(3);
  c.campaign(3); // term 2, stays candidate
  c.recover();
  const n3 = c.node(3);
  expect(n3.raw.role).toBe("candidate");
  const app = newMessage("app", 1, 3, 2);
  app.index = 1;
  app.logTerm = 1;
  n3.raw.step(app);
  expect(n3.raw.role).toBe("follower");
  expect(n3.raw.leader).toBe(1);
});

test("§5.2 split votes are resolved by the next randomised timeout", () => {
  const c = new TestCluster([1, 2, 3, 4], classic);
  // 1 and 2 campaign in the same term; each gets one other vote at most.
  c.cut(1, 2);
  c.cut(3, 4);
  c.node(1).raw.campaign();
  c.node(2).raw.campaign();
  c.deliver();
  c.recover();
  for (let i = 0; i < 100 && c.leaders().length === 0; i++) c.tickAll();
  expect(c.leaders().length).toBe(1);
});

test("§5.4.1 a voter denies its vote to a candidate whose log is less up to date", () => {
  const c = new TestCluster([1, 2, 3], classic);
  c.campaign(1);
  c.isolate(3);
  c.propose(1, "x"); // 1 and 2 hold index 3, node 3 does not
  c.recover();
  c.isolate(1);
  c.campaign(3);
  expect(c.node(3).raw.role).toBe("candidate");
  const answers = c.delivered.filter((m) => m.type === "voteResp" && m.to === 3 && m.from === 2);
  expect(answers.at(-1)!.reject).toBe(true);
  // Node 2, whose log is complete, can win.
  c.campaign(2);
  expect(c.node(2).raw.role).toBe("leader");
});

test("a one-node cluster elects itself at once with campaign() and commits alone", () => {
  const c = new TestCluster([1]);
  c.campaign(1);
  const n = c.node(1);
  expect(n.raw.role).toBe("leader");
  c.propose(1, "solo");
  expect(n.applied).toEqual(["solo"]);
});

test("election safety: at most one leader per term across many seeded elections", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const c = new TestCluster([1, 2, 3, 4, 5], { random: new Rng(seed).asFunction(), ...classic });
    const leaderOfTerm = new Map<number, number>();
    for (let t = 0; t < 200; t++) {
      c.tickAll();
      for (const l of c.leaders()) {
        const prev = leaderOfTerm.get(l.raw.term);
        expect(prev === undefined || prev === l.id).toBe(true);
        leaderOfTerm.set(l.raw.term, l.id);
      }
      if (t % 50 === 10) c.isolate(c.leaders()[0]?.id ?? 1);
      if (t % 50 === 30) c.recover();
    }
  }
});
