// Every replicated command of the configuration center, registered on the state machine with its tables.
import type { Database } from "bun:sqlite";
import type { StateMachine } from "../../raft/state-machine.ts";
import { CONFIG_TABLES, ConfigTables } from "../store/config-tables.ts";
import type { CommandDeps, CommandEffects } from "./command-effects.ts";
import { PROMOTE_GRAY, promoteGrayHandler, PUBLISH_GRAY, publishGrayHandler, REMOVE_GRAY, removeGrayHandler } from "./gray-commands.ts";
import { IMPORT_CONFIGS, importConfigsHandler } from "./import-configs.ts";
import { CREATE_NAMESPACE, createNamespaceHandler, DELETE_NAMESPACE, deleteNamespaceHandler, UPDATE_NAMESPACE, updateNamespaceHandler } from "./namespace-commands.ts";
import { PUBLISH_CONFIG, publishConfigHandler } from "./publish-config.ts";
import { REMOVE_CONFIG, REMOVE_CONFIGS_BY_ID, removeConfigHandler, removeConfigsByIdHandler } from "./remove-config.ts";

/** One ConfigTables per database connection (prepared statements belong to their connection). */
export function tablesProvider(): (db: Database) => ConfigTables {
  const byDb = new WeakMap<Database, ConfigTables>();
  return (db) => {
    let t = byDb.get(db);
    if (!t) {
      t = new ConfigTables(db);
      byDb.set(db, t);
    }
    return t;
  };
}

export function registerConfigCommands(sm: StateMachine, effects: CommandEffects, tables: (db: Database) => ConfigTables): void {
  const deps: CommandDeps = { ...effects, tables };
  const t = tables(sm.db);
  t.readCommittedFrom((key) => effects.index.formal(key));
  sm.onBatchEnd(() => t.batchEnded());
  sm.registerTables(...CONFIG_TABLES);
  sm.register(PUBLISH_CONFIG, publishConfigHandler(deps));
  sm.register(REMOVE_CONFIG, removeConfigHandler(deps));
  sm.register(REMOVE_CONFIGS_BY_ID, removeConfigsByIdHandler(deps));
  sm.register(PUBLISH_GRAY, publishGrayHandler(deps));
  sm.register(REMOVE_GRAY, removeGrayHandler(deps));
  sm.register(PROMOTE_GRAY, promoteGrayHandler(deps));
  sm.register(IMPORT_CONFIGS, importConfigsHandler(deps));
  sm.register(CREATE_NAMESPACE, createNamespaceHandler(deps));
  sm.register(UPDATE_NAMESPACE, updateNamespaceHandler(deps));
  sm.register(DELETE_NAMESPACE, deleteNamespaceHandler(deps));
}
