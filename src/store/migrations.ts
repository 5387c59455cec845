// Versioned schema changes, applied in order at start. A migration is never edited once released:
// add a new one instead. Each runs in its own transaction together with its schema_version row.
import type { Database } from "bun:sqlite";

export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "node metadata",
    up: `CREATE TABLE node_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`,
  },
];

export function applyMigrations(db: Database, migrations: Migration[] = MIGRATIONS): number[] {
  db.run(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const current = (db.query("SELECT max(version) AS v FROM schema_version").get() as { v: number | null }).v ?? 0;
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  if (current > newest) {
    throw new Error(`database schema version ${current} is newer than this build knows (${newest}); run a newer rnacos`);
  }
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.run(m.up);
      db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)", [m.version, m.name, Date.now()]);
    })();
    applied.push(m.version);
  }
  return applied;
}
