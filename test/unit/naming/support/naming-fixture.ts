// A NamingService over an in-memory SQLite with the real state machine and the direct-apply
// proposer: persistent writes take the same Raft command path as in the server.
import { Database } from "bun:sqlite";
import { silentLogger } from "../../../../src/log.ts";
import { NamingService } from "../../../../src/naming/naming-service.ts";
import { loadPersistentState, registerNamingCommands } from "../../../../src/naming/persistent/persistent-commands.ts";
import { SubscriberRegistry } from "../../../../src/naming/push/subscriber-registry.ts";
import { NamingRegistry } from "../../../../src/naming/registry/naming-registry.ts";
import type { NamingEvent } from "../../../../src/naming/registry/naming-event.ts";
import { ApplyingProposer } from "./applying-proposer.ts";
import { StateMachine } from "../../../../src/raft/state-machine.ts";
import { applyMigrations } from "../../../../src/store/migrations.ts";
import { TIMING } from "./fixtures.ts";

export function namingFixture(db = newDatabase()) {
  let clock = 1_000_000;
  const registry = new NamingRegistry((e) => {
    throw e;
  });
  const events: NamingEvent[] = [];
  registry.onEvent((e) => events.push(e));
  const subscribers = new SubscriberRegistry();
  const sm = new StateMachine(db);
  registerNamingCommands(sm, registry);
  loadPersistentState(db, registry, clock);
  const proposer = new ApplyingProposer(sm);
  const service = new NamingService({ registry, subscribers, proposer, now: () => clock, timing: TIMING, log: silentLogger });
  return {
    db,
    sm,
    registry,
    subscribers,
    service,
    events,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
  };
}

export function newDatabase(): Database {
  const db = new Database(":memory:", { strict: true });
  applyMigrations(db);
  return db;
}
