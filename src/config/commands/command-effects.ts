// What a command handler may do once its entry committed: update the read model and announce the
// change. Handlers capture the records they wrote and replay them here, so the index never re-reads.
import type { ConfigIndex } from "../config-index.ts";
import type { ConfigKey } from "../model/config-key.ts";
import type { ConfigTables } from "../store/config-tables.ts";

export interface ConfigChange {
  key: ConfigKey;
  /** Whether a formal version existed before and exists after (fuzzy watch tells adds and deletes apart). */
  formalBefore: boolean;
  formalAfter: boolean;
}

export interface CommandEffects {
  index: ConfigIndex;
  /** Called for every key whose readable content may have changed, after the index was updated. */
  changed(change: ConfigChange): void;
}

export interface CommandDeps extends CommandEffects {
  tables(db: import("bun:sqlite").Database): ConfigTables;
}

/** When and by whom a command was proposed: chosen by the proposer, stored in history rows. */
export interface CommandOrigin {
  at: number;
  srcUser: string;
  srcIp: string;
}

/** Attributes as JSON for a history row's ext_info, empty ones left out (a loop, not Object.entries: once per publish). */
export function extInfoOf(fields: Record<string, string | undefined>): string {
  let out = "";
  for (const k in fields) {
    const v = fields[k];
    if (v) out += `${out === "" ? "" : ","}${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  return `{${out}}`;
}
