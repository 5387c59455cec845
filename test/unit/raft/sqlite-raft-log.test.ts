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

// ---- the two segments on disk (see sqlite-raft-log.ts) ----

const entry = (index: number, term: number) => ({ index, term, type: "normal" as const, data: new Uint8Array([index % 256, term]) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const rowsIn = (s: ReturnType<typeof store>, table: string) =>
  (s.raftDb.query(`SELECT idx FROM ${table} ORDER BY idx`).all() as { idx: number }[]).map((r) => r.idx);

/** Records `index` as applied in the state (as the state machine would), so a reopen accepts a compaction to it. */
function applyTo(s: ReturnType<typeof store>, log: SqliteRaftLog, index: number): void {
  const term = log.term(index);
  s.db.run("UPDATE sm_applied SET applied_index = ?, applied_term = ? WHERE id = 1", [index, term]);
  log.setApplied({ index, term });
}

test("a compaction empties the other segment whole once all of it may go, and appends move to it", () => {
  const s = store();
  const log = new SqliteRaftLog(s.raftDb, s.db);
  const write = (fn: () => void) => s.raftDb.transaction(fn).immediate();
  write(() => log.append(range(1, 100).map((i) => entry(i, 1))));
  applyTo(s, log, 100);
  write(() => log.compactTo(50, conf)); // the other segment is empty: it becomes the active one
  write(() => log.append(range(101, 200).map((i) => entry(i, 1))));
  expect([rowsIn(s, "raft_log_0").length, rowsIn(s, "raft_log_1")]).toEqual([100, range(101, 200)]);
  applyTo(s, log, 200);
  write(() => log.compactTo(150, conf)); // all of raft_log_0 (1..100) is at or below 150: emptied
  expect([rowsIn(s, "raft_log_0"), rowsIn(s, "raft_log_1").length]).toEqual([[], 100]);
  write(() => log.append(range(201, 210).map((i) => entry(i, 1))));
  expect(rowsIn(s, "raft_log_0")).toEqual(range(201, 210));
  // 101..150 stay on disk until their segment goes; a reopen starts after the snapshot point
  const again = new SqliteRaftLog(s.raftDb, s.db);
  expect([again.firstIndex(), again.lastIndex()]).toEqual([151, 210]);
  expect(again.entries(151, 211)).toEqual(range(151, 210).map((i) => entry(i, 1)));
  s.close();
});

test("appends, overwrites, compactions and reopens in any order keep the log a model log keeps", () => {
  let seed = 20261127;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const s = store();
  let log = new SqliteRaftLog(s.raftDb, s.db);
  const write = (fn: () => void) => s.raftDb.transaction(fn).immediate();
  let model: { index: number; term: number; type: "normal"; data: Uint8Array }[] = []; // entries after the snapshot point
  let snap = 0;
  let applied = 0;
  let term = 1;
  for (let step = 0; step < 600; step++) {
    const last = snap + model.length;
    const op = random(10);
    if (op < 4) {
      const added = range(last + 1, last + 1 + random(40)).map((i) => entry(i, term));
      write(() => log.append(added));
      model.push(...added);
    } else if (op < 5 && last > applied) {
      // a new leader overwrites an uncommitted suffix
      term++;
      const from = applied + 1 + random(last - applied);
      const added = range(from, from + random(20)).map((i) => entry(i, term));
      write(() => log.append(added));
      model = [...model.slice(0, from - snap - 1), ...added];
    } else if (op < 7 && last > applied) {
      applied += 1 + random(last - applied);
      applyTo(s, log, applied);
    } else if (op < 9 && applied > snap) {
      const to = snap + 1 + random(applied - snap);
      write(() => log.compactTo(to, conf));
      model = model.slice(to - snap);
      snap = to;
    } else {
      log = new SqliteRaftLog(s.raftDb, s.db);
    }
    expect([log.firstIndex(), log.lastIndex()]).toEqual([snap + 1, snap + model.length]);
  }
  for (const reopened of [log, new SqliteRaftLog(s.raftDb, s.db)]) {
    expect(reopened.entries(snap + 1, snap + model.length + 1)).toEqual(model);
  }
  // nothing on disk above the snapshot point that the log does not hold, and no index twice
  const onDisk = [...rowsIn(s, "raft_log_0"), ...rowsIn(s, "raft_log_1")];
  expect(new Set(onDisk).size).toBe(onDisk.length);
  expect(onDisk.filter((i) => i > snap).sort((a, b) => a - b)).toEqual(model.map((e) => e.index));
  s.close();
});
