// The Raft log in raft.db against the state in rnacos.db: what a start finds when the two files
// were written at different moments.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openStore } from "../../../src/store/database.ts";
import { SqliteRaftLog } from "../../../src/raft/node/sqlite-raft-log.ts";
import { tempDir } from "../../helpers/server.ts";

const conf = { voters: [1, 2, 3], learners: [] };

function store() {
  return openStore(join(tempDir("raft-log-"), "data"));
}

test("entries, hard state and membership come back after a reopen, the membership from the state", () => {
  const s = store();
  const log = new SqliteRaftLog(s.raftDb, s.db);
  s.db.transaction(() => {
    log.setConf({ voters: [1], learners: [] });
    s.db.run("UPDATE sm_applied SET applied_index = 1, applied_term = 1 WHERE id = 1");
  })();
  s.raftDb.transaction(() => {
    log.bootstrapCluster({ voters: [1], learners: [] });
    log.append([2, 3].map((index) => ({ index, term: 2, type: "normal" as const, data: new Uint8Array([index]) })));
    log.setHardState({ term: 2, vote: 1, commit: 3 });
  })();
  const again = new SqliteRaftLog(s.raftDb, s.db);
  expect([again.firstIndex(), again.lastIndex(), again.term(3)]).toEqual([2, 3, 2]);
  expect(again.hardStateNow()).toEqual({ term: 2, vote: 1, commit: 3 });
  expect(again.confNow()).toEqual({ voters: [1], learners: [] });
  s.close();
});

test("a state ahead of the log (a snapshot install cut short) becomes the log's snapshot point", () => {
  const s = store();
  s.raftDb.run("UPDATE raft_state SET term = 3, vote = 2 WHERE id = 1");
  s.db.run("UPDATE sm_applied SET applied_index = 40, applied_term = 3, conf = ? WHERE id = 1", [JSON.stringify(conf)]);
  const log = new SqliteRaftLog(s.raftDb, s.db);
  expect(log.snapshotMeta()).toEqual({ index: 40, term: 3, conf });
  expect([log.firstIndex(), log.lastIndex()]).toEqual([41, 40]);
  expect(log.hardStateNow().term).toBe(3);
  // and durably so: a second start finds the log at the same point
  expect(new SqliteRaftLog(s.raftDb, s.db).snapshotMeta().index).toBe(40);
  s.close();
});

test("a log entry at the applied index from another term is replaced by the state's snapshot point", () => {
  const s = store();
  const log = new SqliteRaftLog(s.raftDb, s.db);
  s.raftDb.transaction(() => log.append([1, 2, 3].map((index) => ({ index, term: 1, type: "normal" as const, data: new Uint8Array([index]) }))))();
  s.db.run("UPDATE sm_applied SET applied_index = 2, applied_term = 5, conf = ? WHERE id = 1", [JSON.stringify(conf)]);
  const again = new SqliteRaftLog(s.raftDb, s.db);
  expect(again.snapshotMeta()).toEqual({ index: 2, term: 5, conf });
  expect(again.lastIndex()).toBe(2);
  s.close();
});

test("a log that starts past the applied state (rnacos.db replaced on its own) stops the start with what to do", () => {
  const s = store();
  s.raftDb.run("UPDATE raft_state SET snap_index = 10, snap_term = 2 WHERE id = 1");
  expect(() => new SqliteRaftLog(s.raftDb, s.db)).toThrow("restore both files of the data dir together");
  s.close();
});
