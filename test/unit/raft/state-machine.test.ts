import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "../../../src/store/migrations.ts";
import { encodeCommand, StateMachine } from "../../../src/raft/state-machine.ts";
import { conflict, DomainError } from "../../../src/errors.ts";

function setup() {
  const db = new Database(":memory:", { strict: true });
  applyMigrations(db);
  db.run("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
  const sm = new StateMachine(db);
  const seen: string[] = [];
  sm.register<{ k: string; v: string; expect?: string }, string>("kv.put", {
    apply(tx, p, ctx) {
      const cur = tx.query("SELECT v FROM kv WHERE k = ?").get(p.k) as { v: string } | null;
      tx.run("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [p.k, p.v]);
      if (p.expect !== undefined && cur?.v !== p.expect) throw conflict(`expected ${p.expect}`);
      ctx.afterCommit(() => seen.push(`${ctx.index}:${p.k}=${p.v}`));
      return `ok@${ctx.index}`;
    },
  });
  const entry = (index: number, payload: object) => ({ index, term: 1, data: encodeCommand({ type: "kv.put", payload }) });
  return { db, sm, seen, entry };
}

test("a batch applies in order and records the applied index with it", () => {
  const { db, sm, seen, entry } = setup();
  const out = sm.applyBatch([entry(1, { k: "a", v: "1" }), { index: 2, term: 1, data: null }, entry(3, { k: "b", v: "2" })]);
  expect(out.get(1)).toEqual({ ok: true, value: "ok@1" });
  expect(out.has(2)).toBe(false);
  expect(sm.applied).toEqual({ index: 3, term: 1 });
  expect(seen).toEqual(["1:a=1", "3:b=2"]);
  expect(db.query("SELECT applied_index AS i FROM sm_applied").get()).toEqual({ i: 3 });
});

test("entries at or below the applied index are never applied twice", () => {
  const { db, sm, entry } = setup();
  sm.applyBatch([entry(1, { k: "a", v: "1" })]);
  const out = sm.applyBatch([entry(1, { k: "a", v: "again" }), entry(2, { k: "a", v: "2" })]);
  expect(out.has(1)).toBe(false);
  expect(db.query("SELECT v FROM kv WHERE k = 'a'").get()).toEqual({ v: "2" });
});

test("a refused command rolls back only its own writes and reports its DomainError", () => {
  const { db, sm, seen, entry } = setup();
  const out = sm.applyBatch([entry(1, { k: "a", v: "1" }), entry(2, { k: "a", v: "x", expect: "nope" }), entry(3, { k: "c", v: "3" })]);
  const refused = out.get(2)!;
  expect(refused.ok).toBe(false);
  expect(!refused.ok && refused.error).toBeInstanceOf(DomainError);
  expect(!refused.ok && refused.error.kind).toBe("conflict");
  expect(db.query("SELECT k, v FROM kv ORDER BY k").all()).toEqual([{ k: "a", v: "1" }, { k: "c", v: "3" }]);
  expect(seen).toEqual(["1:a=1", "3:c=3"]);
  expect(sm.applied.index).toBe(3);
});

test("a batch with a refused command runs again guarded: `before` once, every effect once, the same outcomes", () => {
  const { db, sm, seen, entry } = setup();
  let before = 0;
  const out = sm.applyBatch([entry(1, { k: "a", v: "1" }), entry(2, { k: "b", v: "2", expect: "nope" }), entry(3, { k: "a", v: "3" })], () => {
    before++;
    db.run("INSERT INTO kv (k, v) VALUES ('m', 'member')");
  });
  expect(before).toBe(1);
  expect([out.get(1)?.ok, out.get(2)?.ok, out.get(3)?.ok]).toEqual([true, false, true]);
  expect(seen).toEqual(["1:a=1", "3:a=3"]);
  expect(db.query("SELECT k, v FROM kv ORDER BY k").all()).toEqual([{ k: "a", v: "3" }, { k: "m", v: "member" }]);
});

test("a failure outside a command rolls back the whole batch, applied index included", () => {
  const { db, sm, entry } = setup();
  expect(() => sm.applyBatch([entry(1, { k: "a", v: "1" })], () => { throw new Error("disk full"); })).toThrow("disk full");
  expect(sm.applied.index).toBe(0);
  expect(db.query("SELECT count(*) AS n FROM kv").get()).toEqual({ n: 0 });
});

test("unknown commands are refused, not fatal", () => {
  const { sm } = setup();
  const out = sm.applyBatch([{ index: 1, term: 1, data: encodeCommand({ type: "nope", payload: {} }) }]);
  expect(out.get(1)?.ok).toBe(false);
  expect(sm.applied.index).toBe(1);
});

describe("applied batches share one open transaction", () => {
  function onDisk() {
    const dir = mkdtempSync(join(tmpdir(), "rnacos-sm-"));
    const file = join(dir, "state.db");
    const db = new Database(file, { create: true, strict: true });
    db.run("PRAGMA journal_mode = WAL");
    applyMigrations(db);
    db.run("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    const sm = new StateMachine(db);
    sm.register<{ k: string; v: string }, null>("kv.put", {
      apply(tx, p) {
        tx.run("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", [p.k, p.v]);
        return null;
      },
    });
    const other = new Database(file, { readonly: true });
    const committed = () => (other.query("SELECT applied_index AS i FROM sm_applied").get() as { i: number }).i;
    const entry = (index: number, k: string, v: string) => ({ index, term: 1, data: encodeCommand({ type: "kv.put", payload: { k, v } }) });
    return { db, sm, committed, entry, close: () => (other.close(), sm.close(), db.close(), rmSync(dir, { recursive: true })) };
  }

  test("the connection sees every batch at once; others once it commits (flush)", () => {
    const t = onDisk();
    t.sm.applyBatch([t.entry(1, "a", "1")]);
    t.sm.applyBatch([t.entry(2, "a", "2")]);
    expect(t.db.query("SELECT v FROM kv").get()).toEqual({ v: "2" });
    expect(t.committed()).toBe(0);
    t.sm.flush(true);
    expect(t.committed()).toBe(2);
    t.close();
  });

  test("the open transaction commits by itself shortly after it began", async () => {
    const t = onDisk();
    t.sm.applyBatch([t.entry(1, "a", "1")]);
    const deadline = Date.now() + 5000;
    while (t.committed() !== 1 && Date.now() < deadline) await Bun.sleep(5);
    expect(t.committed()).toBe(1);
    expect(t.db.inTransaction).toBe(false);
    t.close();
  });

  test("a failed batch undoes only itself: earlier batches in the open transaction stay", () => {
    const t = onDisk();
    t.sm.applyBatch([t.entry(1, "a", "1")]);
    expect(() => t.sm.applyBatch([t.entry(2, "b", "2")], () => { throw new Error("disk full"); })).toThrow("disk full");
    t.sm.flush();
    expect(t.committed()).toBe(1);
    expect(t.db.query("SELECT k, v FROM kv").all()).toEqual([{ k: "a", v: "1" }]);
    t.close();
  });
});
