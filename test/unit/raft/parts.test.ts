// The small pieces on their own: quorum math, storage, the unstable log, flow control, Ready/advance.

import { expect, test } from "bun:test";
import { CompactedError, NotLeaderError, ProposalDroppedError, UnavailableError } from "../../../src/raft/core/errors.ts";
import { Inflights } from "../../../src/raft/core/inflights.ts";
import { UnstableLog } from "../../../src/raft/core/log-unstable.ts";
import { MemoryStorage } from "../../../src/raft/core/memory-storage.ts";
import { committedIndex, voteResult } from "../../../src/raft/core/quorum.ts";
import { RawNode } from "../../../src/raft/core/raw-node.ts";
import { Rng } from "../../../src/raft/core/rng.ts";
import type { Entry } from "../../../src/raft/core/types.ts";
import { TestCluster, bytes } from "./harness.ts";

const ent = (index: number, term: number, text = ""): Entry => ({ index, term, type: "normal", data: bytes(text) });

test("quorum: committed index is the highest index a majority of voters has reached", () => {
  const match = new Map([[1, 10], [2, 7], [3, 5], [4, 9], [5, 1]]);
  const m = (id: number) => match.get(id) ?? 0;
  expect(committedIndex([1], m)).toBe(10);
  expect(committedIndex([1, 2], m)).toBe(7);
  expect(committedIndex([1, 2, 3], m)).toBe(7);
  expect(committedIndex([1, 2, 3, 4], m)).toBe(7);
  expect(committedIndex([1, 2, 3, 4, 5], m)).toBe(7);
  expect(committedIndex([], m)).toBe(0);
});

test("quorum: votes are won, lost or pending, counting voters only", () => {
  const votes = (entries: [number, boolean][]) => new Map(entries);
  expect(voteResult([1, 2, 3], votes([[1, true], [2, true]]))).toBe("won");
  expect(voteResult([1, 2, 3], votes([[1, true], [2, false]]))).toBe("pending");
  expect(voteResult([1, 2, 3], votes([[1, true], [2, false], [3, false]]))).toBe("lost");
  expect(voteResult([1, 2, 3], votes([[1, true], [4, true], [5, true]]))).toBe("pending");
  expect(voteResult([1, 2, 3, 4], votes([[1, true], [2, true]]))).toBe("pending");
});

test("MemoryStorage: append replaces a conflicting suffix, compact keeps the term of the snapshot index", () => {
  const s = MemoryStorage.bootstrap([1, 2, 3]);
  expect([s.firstIndex(), s.lastIndex(), s.term(1)]).toEqual([2, 1, 1]);
  s.append([ent(2, 2), ent(3, 2), ent(4, 2)]);
  s.append([ent(3, 3)]);
  expect(s.allEntries().map((e) => `${e.index}/${e.term}`)).toEqual(["2/2", "3/3"]);
  s.append([ent(4, 3, "abcdefghij"), ent(5, 3, "abcdefghij")]);
  expect(s.entries(2, 6, 40).length).toBe(2); // 16+16 bytes fit, the third (26) does not
  expect(s.entries(4, 6, 1).length).toBe(1); // always at least one
  s.compact(3, { voters: [1, 2, 3], learners: [] });
  expect([s.firstIndex(), s.lastIndex(), s.term(3)]).toEqual([4, 5, 3]);
  expect(() => s.term(2)).toThrow(CompactedError);
  expect(() => s.entries(3, 5)).toThrow(CompactedError);
  expect(() => s.term(6)).toThrow(UnavailableError);
  s.append([ent(3, 3), ent(4, 3, "abcdefghij")]); // below the snapshot: skipped, rest matches
  expect(s.lastIndex()).toBe(4);
});

test("unstable log: stableTo keeps entries replaced after they were handed out", () => {
  const u = new UnstableLog(5);
  u.truncateAndAppend([ent(5, 1), ent(6, 1), ent(7, 1)]);
  expect(u.nextEntries().map((e) => e.index)).toEqual([5, 6, 7]);
  u.acceptInProgress();
  expect(u.nextEntries()).toEqual([]);
  u.truncateAndAppend([ent(6, 2)]); // a new leader overwrote 6..7 while they were being persisted
  expect(u.nextEntries().map((e) => `${e.index}/${e.term}`)).toEqual(["6/2"]);
  u.stableTo(7, 1); // the old 7 is gone: nothing to mark
  expect(u.offset).toBe(5);
  u.stableTo(5, 1);
  expect(u.offset).toBe(6);
  expect(u.entries.map((e) => `${e.index}/${e.term}`)).toEqual(["6/2"]);
});

test("inflights: a bounded window freed by acknowledgements", () => {
  const inf = new Inflights(3, 0);
  inf.add(5, 10);
  inf.add(9, 10);
  inf.add(12, 10);
  expect(inf.full()).toBe(true);
  inf.freeLE(9);
  expect(inf.count).toBe(1);
  inf.add(15, 10);
  inf.add(20, 10);
  expect(inf.full()).toBe(true);
  inf.freeLE(100);
  expect(inf.count).toBe(0);
  const bytesBound = new Inflights(100, 25);
  bytesBound.add(1, 20);
  expect(bytesBound.full()).toBe(false);
  bytesBound.add(2, 20);
  expect(bytesBound.full()).toBe(true);
});

test("Rng is deterministic per seed and stays in [0, 1)", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 1000; i++) {
    const x = a.next();
    expect(x).toBe(b.next());
    expect(x >= 0 && x < 1).toBe(true);
  }
  expect(new Rng(1).next()).not.toBe(new Rng(2).next());
});

test("Ready/advance: ready() twice without advance() is a driver bug", () => {
  const n = new RawNode({ id: 1, storage: MemoryStorage.bootstrap([1]) });
  n.campaign();
  n.ready();
  expect(n.hasReady()).toBe(false);
  expect(() => n.ready()).toThrow();
});

test("Ready/advance: steps between ready() and advance() show up in the next Ready", () => {
  const storage = MemoryStorage.bootstrap([1]);
  const n = new RawNode({ id: 1, storage });
  n.campaign();
  const rd1 = n.ready();
  n.propose(bytes("during")); // while rd1 is being persisted
  storage.append(rd1.entries);
  storage.setHardState(rd1.hardState!);
  n.advance();
  const rd2 = n.ready();
  expect(rd2.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(["during"]);
  storage.append(rd2.entries);
  if (rd2.hardState) storage.setHardState(rd2.hardState);
  n.advance();
  expect(n.status().lastIndex).toBe(3);
  expect(n.status().applied).toBe(3);
});

test("Ready: softState reports leader and role changes; hardState only when it changed", () => {
  const c = new TestCluster([1, 2, 3], { preVote: false });
  const n = c.node(1);
  c.campaign(1);
  const rd = n.lastReady!;
  expect(n.raw.role).toBe("leader");
  expect(rd.hardState?.commit ?? n.storage.hardStateNow().commit).toBe(2);
  c.tickAll(1);
  n.raw.tick();
  const quiet = n.raw.ready();
  expect(quiet.softState).toBeUndefined();
  expect(quiet.hardState).toBeUndefined();
  expect(quiet.mustSync).toBe(false);
  n.raw.advance();
});

test("propose on a follower throws NotLeaderError carrying the leader", () => {
  const c = new TestCluster([1, 2, 3]);
  c.campaign(1);
  try {
    c.node(2).raw.propose(bytes("x"));
    throw new Error("expected NotLeaderError");
  } catch (e) {
    expect(e).toBeInstanceOf(NotLeaderError);
    expect((e as NotLeaderError).leader).toBe(1);
  }
});

test("maxUncommittedBytes: a leader cut off from its followers refuses proposals past the limit", () => {
  const c = new TestCluster([1, 2, 3], { maxUncommittedBytes: 100 });
  c.campaign(1);
  c.isolate(1);
  let accepted = 0;
  let refused: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      c.node(1).raw.propose(bytes("0123456789"));
      accepted++;
    } catch (e) {
      refused = e;
      break;
    }
  }
  expect(accepted).toBeGreaterThan(0);
  expect(accepted).toBeLessThan(20);
  expect((refused as ProposalDroppedError).reason).toBe("uncommittedLimit");
  c.recover();
  c.tickAll(2);
  expect(() => c.node(1).raw.propose(bytes("again"))).not.toThrow();
});

test("status reports per-follower progress on the leader", () => {
  const c = new TestCluster([1, 2, 3], {}, [4]);
  c.campaign(1);
  c.propose(1, "a");
  const s = c.node(1).raw.status();
  expect(s.role).toBe("leader");
  expect(s.progress!.get(2)).toMatchObject({ match: s.lastIndex, state: "replicate", isLearner: false });
  expect(s.progress!.get(4)!.isLearner).toBe(true);
  expect(c.node(2).raw.status().progress).toBeUndefined();
});
