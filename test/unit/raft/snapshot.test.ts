// §7 log compaction and InstallSnapshot (the core carries only SnapshotMeta; data goes out-of-band).

import { expect, test } from "bun:test";
import { MemoryStorage } from "../../../src/raft/core/memory-storage.ts";
import { RawNode } from "../../../src/raft/core/raw-node.ts";
import { newMessage } from "../../../src/raft/core/types.ts";
import { TestCluster } from "./harness.ts";

const opts = { preVote: true, checkQuorum: true };

/** Compact a node's storage up to its applied index (what a driver does periodically). */
function compact(c: TestCluster, id: number): void {
  const n = c.node(id);
  n.storage.compact(n.appliedIndex, n.conf);
}

test("§7 a follower that needs compacted entries is sent a snapshot message carrying only metadata", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.isolate(3);
  for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
  compact(c, 1);
  c.recover();
  c.tick(1, 2);
  const snaps = c.delivered.filter((m) => m.type === "snap" && m.to === 3);
  expect(snaps.length).toBe(1);
  const meta = snaps[0]!.snapshot!;
  expect(meta.index).toBe(c.node(1).storage.firstIndex() - 1);
  expect(meta.conf).toEqual({ voters: [1, 2, 3], learners: [] });
  expect(snaps[0]!.entries.length).toBe(0);
  // The follower surfaced it in Ready.snapshot and (in this harness) installed it.
  expect(c.node(3).snapshots.map((s) => s.index)).toEqual([meta.index]);
  expect(c.node(3).storage.firstIndex()).toBe(meta.index + 1);
});

test("§7 the leader sends nothing more to a follower in snapshot state until reportSnapshot", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.isolate(3);
  for (let i = 0; i < 5; i++) c.propose(1, `e${i}`);
  compact(c, 1);
  c.recover();
  c.dropTypes.add("snap"); // the transfer is "in progress" (lost, here)
  c.tick(1, 3);
  const l = c.node(1).raw;
  expect(l.status().progress!.get(3)!.state).toBe("snapshot");
  const before = c.delivered.filter((m) => m.to === 3 && m.type === "app").length;
  c.propose(1, "more");
  c.tick(1, 3);
  expect(c.delivered.filter((m) => m.to === 3 && m.type === "app").length).toBe(before);
  // The transfer failed: the leader probes again and, still compacted, offers a new snapshot.
  c.dropTypes.clear();
  l.reportSnapshot(3, false);
  c.tick(1, 3);
  expect(c.node(3).snapshots.length).toBe(1);
  c.tick(1, 2);
  expect(c.node(3).applied.at(-1)).toBe("more");
});

test("§7 after a successful snapshot the follower continues from the log", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.isolate(3);
  for (let i = 0; i < 5; i++) c.propose(1, `e${i}`);
  compact(c, 1);
  c.propose(1, "after-compaction");
  c.recover();
  c.tick(1, 3);
  c.node(1).raw.reportSnapshot(3, true);
  c.tick(1, 3);
  const n3 = c.node(3);
  expect(n3.snapshots.length).toBe(1);
  // Entries after the snapshot index arrive as log entries.
  expect(n3.applied).toEqual(["after-compaction"]);
  expect(c.node(1).raw.status().progress!.get(3)!.state).toBe("replicate");
});

test("§7 a snapshot not newer than the follower's commit is ignored", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.propose(1, "a");
  c.tickAll(1);
  const n2 = c.node(2);
  const commit = n2.raw.commitIndex;
  const snap = newMessage("snap", 1, 2, c.node(1).raw.term);
  snap.snapshot = { index: commit - 1, term: 2, conf: { voters: [1, 2, 3], learners: [] } };
  n2.raw.step(snap);
  const rd = n2.raw.ready();
  expect(rd.snapshot).toBeUndefined();
  expect(rd.messages.find((m) => m.type === "appResp")!.index).toBe(commit);
  n2.raw.advance();
});

test("§7 a snapshot whose last entry the follower already holds just advances its commit", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  c.filter = (m) => !(m.type === "app" && m.to === 2 && m.commit > 2); // 2 gets entries, not commit
  c.propose(1, "a");
  const n2 = c.node(2);
  const last = n2.storage.lastIndex();
  expect(n2.raw.commitIndex).toBeLessThan(last);
  const snap = newMessage("snap", 1, 2, c.node(1).raw.term);
  snap.snapshot = { index: last, term: c.node(1).raw.term, conf: { voters: [1, 2, 3], learners: [] } };
  n2.raw.step(snap);
  const rd = n2.raw.ready();
  expect(rd.snapshot).toBeUndefined();
  expect(rd.hardState!.commit).toBe(last);
  n2.raw.advance();
});

test("§7 a node restarts from storage whose first index is > 1 (compacted log)", () => {
  const c = new TestCluster([1, 2, 3], opts);
  c.campaign(1);
  for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
  c.tickAll(1);
  for (const id of [1, 2, 3]) compact(c, id);
  const n2 = c.node(2);
  expect(n2.storage.firstIndex()).toBeGreaterThan(10);
  n2.restart();
  c.propose(1, "after-restart");
  c.tickAll(1);
  expect(n2.applied.at(-1)).toBe("after-restart");
  // And a full cluster restart elects a leader and keeps going.
  for (const id of [1, 2, 3]) c.node(id).restart();
  for (let i = 0; i < 100 && c.leaders().length === 0; i++) c.tickAll();
  const l = c.leaders()[0]!;
  c.propose(l.id, "after-full-restart");
  c.tickAll(1);
  for (const id of [1, 2, 3]) expect(c.node(id).applied.at(-1)).toBe("after-full-restart");
});

test("§7 a snapshot is handed out before anything else and committed entries wait for it", () => {
  const storage = new MemoryStorage();
  const n = new RawNode({ id: 4, storage });
  const snap = newMessage("snap", 1, 4, 3);
  snap.snapshot = { index: 50, term: 3, conf: { voters: [1, 2, 3], learners: [4] } };
  n.step(snap);
  const rd = n.ready();
  expect(rd.snapshot).toEqual(snap.snapshot);
  expect(rd.committedEntries).toEqual([]);
  expect(rd.hardState).toEqual({ term: 3, vote: 0, commit: 50 });
  expect(rd.messages[0]).toMatchObject({ type: "appResp", index: 50, to: 1 });
  storage.applySnapshot(rd.snapshot!);
  storage.setHardState(rd.hardState!);
  n.advance();
  expect(n.status()).toMatchObject({ applied: 50, commit: 50, firstIndex: 51, lastIndex: 50 });
  expect(n.status().conf).toEqual({ voters: [1, 2, 3], learners: [4] });
});

test("a snapshot is refused while committed entries are out for applying, and taken after advance()", () => {
  const storage = MemoryStorage.bootstrap([1, 2, 3]);
  const n = new RawNode({ id: 2, storage });
  const app = newMessage("app", 1, 2, 2);
  app.index = 1;
  app.logTerm = 1;
  app.commit = 3;
  app.entries = [
    { index: 2, term: 2, type: "normal", data: new Uint8Array(0) },
    { index: 3, term: 2, type: "normal", data: new Uint8Array([1]) },
  ];
  n.step(app);
  const rd = n.ready(); // entries 2..3 handed out for applying
  expect(rd.committedEntries.length).toBe(2);
  const snap = newMessage("snap", 1, 2, 2);
  snap.snapshot = { index: 10, term: 2, conf: { voters: [1, 2, 3], learners: [] } };
  n.step(snap); // arrives while the driver is still writing and applying
  storage.append(rd.entries);
  storage.setHardState(rd.hardState!);
  n.advance();
  const refused = n.ready();
  expect(refused.snapshot).toBeUndefined();
  expect(refused.messages.find((m) => m.type === "appResp")!.index).toBe(3);
  n.advance();
  n.step(snap); // the leader offers it again
  expect(n.ready().snapshot?.index).toBe(10);
});
