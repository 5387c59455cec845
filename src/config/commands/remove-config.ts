// config.remove and config.removeByIds: delete configs (their gray versions with them), one D history
// row per removed version, in the entry's transaction.
import type { Database } from "bun:sqlite";
import type { CommandHandler } from "../../raft/state-machine.ts";
import type { ConfigKey } from "../model/config-key.ts";
import type { ConfigRecord, GrayRecord } from "../model/config-record.ts";
import type { CommandDeps, CommandOrigin as Origin } from "./command-effects.ts";
import { grayHistory } from "./gray-commands.ts";
import { formalHistory } from "./publish-config.ts";

export const REMOVE_CONFIG = "config.remove";
export const REMOVE_CONFIGS_BY_ID = "config.removeByIds";

export interface RemovePayload extends ConfigKey, Origin {}

export interface RemoveByIdsPayload extends Origin {
  ids: number[];
}

interface Removed {
  formal: ConfigRecord | undefined;
  grays: GrayRecord[];
}

function removeKey(db: Database, deps: CommandDeps, key: ConfigKey, o: Origin): Removed {
  const t = deps.tables(db);
  const formal = t.findConfig(key);
  const grays = t.graysOf(key);
  for (const g of grays) {
    t.deleteGray(key, g.grayName);
    grayHistory(db, deps, g, "D", o);
  }
  if (formal) {
    // The D row first, linked from the head still on the config's row; deleting the row moves the head.
    t.history.append(formalHistory(formal, "D", o));
    t.deleteConfig(formal);
  }
  return { formal, grays };
}

function applyRemoved(deps: CommandDeps, key: ConfigKey, r: Removed): void {
  for (const g of r.grays) deps.index.deleteGray(key, g.grayName);
  if (r.formal) deps.index.deleteFormal(key);
  if (r.formal || r.grays.length > 0) deps.changed({ key, formalBefore: r.formal !== undefined, formalAfter: false });
}

/** Resolves true when something was removed (Nacos answers true either way). */
export function removeConfigHandler(deps: CommandDeps): CommandHandler<RemovePayload, boolean> {
  return {
    apply(db, p, ctx) {
      const key: ConfigKey = { namespace: p.namespace, group: p.group, dataId: p.dataId };
      const removed = removeKey(db, deps, key, p);
      ctx.afterCommit(() => applyRemoved(deps, key, removed));
      return removed.formal !== undefined || removed.grays.length > 0;
    },
  };
}

/** Resolves with the number of configs removed; unknown ids are skipped. */
export function removeConfigsByIdHandler(deps: CommandDeps): CommandHandler<RemoveByIdsPayload, number> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      let count = 0;
      for (const id of new Set(p.ids)) {
        const found = t.findConfigById(id);
        if (!found) continue;
        const key: ConfigKey = { namespace: found.namespace, group: found.group, dataId: found.dataId };
        const removed = removeKey(db, deps, key, p);
        ctx.afterCommit(() => applyRemoved(deps, key, removed));
        count++;
      }
      return count;
    },
  };
}
