// The driver over real SQLite files, several nodes in one process on an in-memory network.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { DATABASE_FILE, openStore, type Store } from "../../../src/store/database.ts";
import { StateMachine } from "../../../src/raft/state-machine.ts";
import { RaftNode } from "../../../src/raft/node/raft-node.ts";
import { LocalNetwork } from "../../../src/raft/node/local-transport.ts";
import { conflict, DomainError } from "../../../src/errors.ts";
import { silentLogger } from "../../../src/log.ts";
import { tempDir, waitFor } from "../../helpers/server.ts";

interface TestNode {
  id: number;
  dir: string;
  store: Store;
  sm: StateMachine;
  raft: RaftNode;
  get(k: string): string | undefined;
}

const open: TestNode[] = [];
afterEach(() => {
  for (const n of open.splice(0)) close(n);
});

function close(n: TestNode) {
  n.raft.stop();
  n.store.close();
}

function startNode(net: LocalNetwork, id: number, opts: { dir?: string; autoInit?: boolean; join?: string; snapshotLogSize?: number; proposalTimeoutMs?: number } = {}): TestNode {
  const dir = opts.dir ?? join(tempDir("raft-node-"), "data");
  const store = openStore(dir);
  store.db.run("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT");
  const sm = new StateMachine(store.db);
  sm.registerTables("kv");
  sm.register<{ k: string; v: string; ifAbsent?: boolean }, number>("kv.put", {
    apply(db, p, ctx) {
      if (p.ifAbsent && db.query("SELECT 1 FROM kv WHERE k = ?").get(p.k)) throw conflict(`${p.k} exists`);
      db.run("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [p.k, p.v]);
      return ctx.index;
    },
  });
  sm.register<{ k: string }, number>("kv.incr", {
    apply(db, p) {
      const cur = Number((db.query("SELECT v FROM kv WHERE k = ?").get(p.k) as { v: string } | null)?.v ?? 0);
      db.run("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [p.k, String(cur + 1)]);
      return cur + 1;
    },
  });
  const addr = `node-${id}`;
  const raft = new RaftNode({
    wal: store,
    id,
    addr,
    dataDir: dir,
    db: store.db,
    raftDb: store.raftDb,
    stateMachine: sm,
    transport: net.transport(id, addr, dir),
    log: silentLogger,
    autoInit: opts.autoInit ?? false,
    joinAddr: opts.join ?? "",
    snapshotLogSize: opts.snapshotLogSize ?? 10_000,
    tickMs: 10,
    proposalTimeoutMs: opts.proposalTimeoutMs ?? 3000,
    random: seeded(id),
  });
  raft.start();
  const node: TestNode = {
    id,
    dir,
    store,
    sm,
    raft,
    get: (k) => (store.db.query("SELECT v FROM kv WHERE k = ?").get(k) as { v: string } | null)?.v,
  };
  open.push(node);
  return node;
}

function seeded(seed: number): () => number {
  let s = seed * 2654435761;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

const leaderOf = (nodes: TestNode[]) => waitFor("a leader", () => nodes.find((n) => n.raft.isLeader), 5000, 5);

describe("one node", () => {
  test("founds a cluster, applies writes in order and returns each command's result", async () => {
    const n = startNode(new LocalNetwork(), 1, { autoInit: true });
    await leaderOf([n]);
    expect(n.raft.ready).toBe(true);
    const results = await Promise.all(Array.from({ length: 50 }, () => n.raft.propose<number>("kv.incr", { k: "c" })));
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(n.get("c")).toBe("50");
  });

  test("a refused command rejects its proposal with the domain error and changes nothing", async () => {
    const n = startNode(new LocalNetwork(), 1, { autoInit: true });
    await n.raft.propose("kv.put", { k: "a", v: "1", ifAbsent: true });
    const err = await n.raft.propose("kv.put", { k: "a", v: "2", ifAbsent: true }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("conflict");
    expect(n.get("a")).toBe("1");
  });

  test("a restart keeps every acknowledged write and re-applies nothing", async () => {
    const net = new LocalNetwork();
    const n = startNode(net, 1, { autoInit: true });
    for (let i = 0; i < 20; i++) await n.raft.propose("kv.incr", { k: "c" });
    const applied = n.sm.applied.index;
    close(n);
    open.splice(open.indexOf(n), 1);
    const again = startNode(net, 1, { dir: n.dir, autoInit: true });
    await leaderOf([again]);
    expect(again.get("c")).toBe("20");
    expect(again.sm.applied.index).toBeGreaterThanOrEqual(applied);
    expect(await again.raft.propose<number>("kv.incr", { k: "c" })).toBe(21);
  });

  test("a crash that takes the state's open transaction: the log replays it before the node is ready", async () => {
    const net = new LocalNetwork();
    const n = startNode(net, 1, { autoInit: true });
    await leaderOf([n]);
    n.sm.flush();
    for (let i = 0; i < 20; i++) await n.raft.propose("kv.incr", { k: "c" });
    // As a crash would: the applied rows not yet committed are lost, the log (durable) stays.
    expect(n.store.db.inTransaction).toBe(true);
    n.store.db.run("ROLLBACK");
    close(n);
    open.splice(open.indexOf(n), 1);
    const again = startNode(net, 1, { dir: n.dir, autoInit: true });
    expect(again.get("c")).toBeUndefined();
    expect(again.raft.ready).toBe(false);
    await waitFor("ready", () => (again.raft.ready ? true : undefined), 5000, 1);
    expect(again.get("c")).toBe("20");
  });

  test("concurrent proposals share transactions (group commit)", async () => {
    const n = startNode(new LocalNetwork(), 1, { autoInit: true });
    await leaderOf([n]);
    const before = n.sm.applied.index;
    const syncsBefore = n.raft.persistCount;
    await Promise.all(Array.from({ length: 500 }, (_, i) => n.raft.propose("kv.put", { k: `k${i}`, v: "v" })));
    expect(n.sm.applied.index - before).toBeGreaterThanOrEqual(500);
    expect(n.raft.persistCount - syncsBefore).toBeLessThan(50);
  });

  test("a linearizable read waits for what was committed before it", async () => {
    const n = startNode(new LocalNetwork(), 1, { autoInit: true });
    await n.raft.propose("kv.put", { k: "a", v: "1" });
    await n.raft.readBarrier();
    expect(n.get("a")).toBe("1");
  });
});

describe("three nodes", () => {
  async function cluster(snapshotLogSize = 10_000) {
    const net = new LocalNetwork();
    const a = startNode(net, 1, { autoInit: true, snapshotLogSize });
    await leaderOf([a]);
    const b = startNode(net, 2, { join: "node-1", snapshotLogSize });
    const c = startNode(net, 3, { join: "node-1", snapshotLogSize });
    const nodes = [a, b, c];
    await waitFor("three voters", () => (a.raft.metrics().voters.length === 3 ? true : undefined), 10_000, 10);
    return { net, nodes };
  }

  test("joiners are promoted to voters and writes through any node reach every node", async () => {
    const { nodes } = await cluster();
    for (const [i, n] of nodes.entries()) await n.raft.propose("kv.put", { k: `from${i}`, v: String(n.id) });
    for (const n of nodes) {
      await waitFor(`node ${n.id} applied`, () => (n.get("from2") === "3" ? true : undefined));
      expect([n.get("from0"), n.get("from1"), n.get("from2")]).toEqual(["1", "2", "3"]);
    }
  });

  test("a membership change is committed to the state as it is applied, not with the next timed commit", async () => {
    const { nodes } = await cluster();
    const other = new Database(join(nodes[0]!.dir, DATABASE_FILE), { readonly: true });
    try {
      const committed = JSON.parse((other.query("SELECT conf FROM sm_applied").get() as { conf: string }).conf) as { voters: number[] };
      expect(committed.voters.sort()).toEqual([1, 2, 3]);
    } finally {
      other.close();
    }
  });

  test("a forwarded write resolves after the follower itself applied it", async () => {
    const { nodes } = await cluster();
    const follower = nodes.find((n) => !n.raft.isLeader)!;
    await follower.raft.propose("kv.put", { k: "ryw", v: "yes" });
    expect(follower.get("ryw")).toBe("yes");
  });

  test("an isolated leader is replaced; the old one catches up after healing", async () => {
    const { net, nodes } = await cluster();
    const old = await leaderOf(nodes);
    net.isolate(old.id);
    const rest = nodes.filter((n) => n !== old);
    const next = await waitFor("a new leader", () => rest.find((n) => n.raft.isLeader), 5000, 5);
    await next.raft.propose("kv.put", { k: "after", v: "failover" });
    net.heal();
    await waitFor("old leader caught up", () => (old.get("after") === "failover" ? true : undefined), 5000);
  });

  test("without a quorum a write is not acknowledged", async () => {
    const { net, nodes } = await cluster();
    const [x, y] = nodes.filter((n) => !n.raft.isLeader);
    const leader = nodes.find((n) => n.raft.isLeader)!;
    net.isolate(x!.id);
    net.isolate(y!.id);
    const err = await leader.raft.propose("kv.put", { k: "lost", v: "?" }).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("unavailable");
  });

  test("a node that joins after compaction gets a snapshot with all the data", async () => {
    const net = new LocalNetwork();
    const a = startNode(net, 1, { autoInit: true, snapshotLogSize: 20 });
    for (let i = 0; i < 100; i++) await a.raft.propose("kv.put", { k: `k${i}`, v: String(i) });
    expect(a.raft.metrics().firstLogIndex).toBeGreaterThan(50);
    const b = startNode(net, 2, { join: "node-1", snapshotLogSize: 20 });
    await waitFor("snapshot installed", () => (b.get("k99") === "99" ? true : undefined), 10_000);
    expect(b.get("k0")).toBe("0");
    await waitFor("b is a voter", () => (a.raft.metrics().voters.includes(2) ? true : undefined), 10_000);
    await b.raft.propose("kv.put", { k: "via-b", v: "ok" });
    expect(a.get("via-b")).toBe("ok");
  });
});
