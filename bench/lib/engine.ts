// The Raft engine alone, in this process: one node on a real SQLite file with a trivial command,
// to tell the engine's cost apart from HTTP and the config domain in latency figures.
import { join } from "node:path";
import { openStore } from "../../src/store/database.ts";
import { StateMachine } from "../../src/raft/state-machine.ts";
import { RaftNode } from "../../src/raft/node/raft-node.ts";
import { LocalNetwork } from "../../src/raft/node/local-transport.ts";
import { silentLogger } from "../../src/log.ts";
import { tempDir, waitFor } from "../../test/helpers/server.ts";

export interface Engine {
  propose(key: string, value: string): Promise<unknown>;
  close(): void;
}

export async function startEngine(): Promise<Engine> {
  const dir = join(tempDir("rnacos-engine-"), "data");
  const store = openStore(dir);
  store.db.run("CREATE TABLE bench_kv (k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT");
  const sm = new StateMachine(store.db);
  sm.register<{ k: string; v: string }, number>("bench.put", {
    apply(db, p, ctx) {
      db.run("INSERT INTO bench_kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [p.k, p.v]);
      return ctx.index;
    },
  });
  const raft = new RaftNode({
    wal: store,
    id: 1,
    addr: "127.0.0.1:1",
    dataDir: dir,
    db: store.db,
    raftDb: store.raftDb,
    stateMachine: sm,
    transport: new LocalNetwork().transport(1, "127.0.0.1:1", dir),
    log: silentLogger,
    autoInit: true,
    joinAddr: "",
    snapshotLogSize: 10_000,
  });
  raft.start();
  await waitFor("the engine leads", () => (raft.isLeader ? true : undefined));
  return {
    propose: (k, v) => raft.propose("bench.put", { k, v }),
    close() {
      raft.stop();
      store.close();
    },
  };
}
