import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { applyMigrations, MIGRATIONS, type Migration } from "../../../src/store/migrations.ts";

test("migrations apply in order once, and record their versions", () => {
  const db = new Database(":memory:");
  const extra: Migration[] = [
    ...MIGRATIONS,
    { version: 1000, name: "t1", up: "CREATE TABLE t1 (x INTEGER)" },
    { version: 1001, name: "t2", up: "CREATE TABLE t2 (y INTEGER)" },
  ];
  expect(applyMigrations(db, extra)).toEqual([...MIGRATIONS.map((m) => m.version), 1000, 1001]);
  expect(applyMigrations(db, extra)).toEqual([]);
  const versions = db.query("SELECT version FROM schema_version ORDER BY version").all() as { version: number }[];
  expect(versions.map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), 1000, 1001]);
});

test("a failing migration leaves the database as it was, earlier pending ones included", () => {
  const db = new Database(":memory:");
  applyMigrations(db);
  const bad: Migration[] = [
    ...MIGRATIONS,
    { version: 2000, name: "fine", up: "CREATE TABLE fine (x)" },
    { version: 2001, name: "bad", up: "CREATE TABLE ok (x); CREATE TABLE broken (" },
  ];
  expect(() => applyMigrations(db, bad)).toThrow();
  const version = db.query("SELECT max(version) AS v FROM schema_version").get() as { v: number };
  expect(version.v).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
  const tables = db.query("SELECT name FROM sqlite_master WHERE name IN ('fine', 'ok')").all();
  expect(tables).toEqual([]);
});

test("a database from a newer build is refused", () => {
  const db = new Database(":memory:");
  applyMigrations(db, [...MIGRATIONS, { version: 9999, name: "future", up: "SELECT 1" }]);
  expect(() => applyMigrations(db)).toThrow(/versions this build does not know \(9999\)/);
});

test("a lower version added after a higher one was applied still runs", () => {
  const db = new Database(":memory:");
  applyMigrations(db, [...MIGRATIONS, { version: 5000, name: "later range", up: "CREATE TABLE later (x)" }]);
  const applied = applyMigrations(db, [
    ...MIGRATIONS,
    { version: 5000, name: "later range", up: "CREATE TABLE later (x)" },
    { version: 4000, name: "earlier range, new", up: "CREATE TABLE earlier (x)" },
  ]);
  expect(applied).toEqual([4000]);
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'earlier'").get()).toEqual({ name: "earlier" });
});
