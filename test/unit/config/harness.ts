// The configuration center on an in-memory database with the real state machine and proposer stand-in,
// a clock the test sets, and timers it fires by hand.
import { Database } from "bun:sqlite";
import { applyMigrations } from "../../../src/store/migrations.ts";
import { StateMachine } from "../../../src/raft/state-machine.ts";
import { DirectProposer } from "./direct-proposer.ts";
import { resolveSettings } from "../../../src/cli/settings.ts";
import { createLogger } from "../../../src/log.ts";
import { NodeState } from "../../../src/node-state.ts";
import { configModule, type ConfigModule } from "../../../src/config/config-module.ts";
import type { ModuleContext } from "../../../src/server-module.ts";
import { ManualTimers } from "./manual-timers.ts";

export interface Harness {
  db: Database;
  sm: StateMachine;
  module: ConfigModule;
  timers: ManualTimers;
  clock: { now: number };
  ctx: ModuleContext;
}

export function quietLog() {
  return createLogger({ defaultLevel: "error", modules: new Map() }, "test", () => {});
}

export function makeHarness(opts: { db?: Database; env?: Record<string, string>; now?: number } = {}): Harness {
  const db = opts.db ?? new Database(":memory:", { strict: true });
  applyMigrations(db);
  const sm = new StateMachine(db);
  const clock = { now: opts.now ?? 1_700_000_000_000 };
  const timers = new ManualTimers();
  const ctx: ModuleContext = {
    settings: resolveSettings({ flags: {}, env: opts.env ?? {}, envFile: {} }),
    log: quietLog(),
    db,
    stateMachine: sm,
    proposer: new DirectProposer(sm),
    leadership: { isLeader: () => true },
    state: new NodeState(),
    now: () => clock.now,
  };
  const module = configModule(ctx, timers);
  return { db, sm, module, timers, clock, ctx };
}

export const LOCAL = { srcIp: "127.0.0.1" };
