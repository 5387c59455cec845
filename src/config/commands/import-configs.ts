// config.import: publish many configs into one namespace as one entry (import from a zip, clone), with
// Nacos's policy for configs that already exist: ABORT (stop at the first, keep what was written
// before it), SKIP (leave existing ones alone) or OVERWRITE.
import type { CommandHandler } from "../../raft/state-machine.ts";
import type { ConfigAttributes, ConfigRecord } from "../model/config-record.ts";
import type { CommandDeps } from "./command-effects.ts";
import { formalWritten, writeFormal } from "./publish-config.ts";

export const IMPORT_CONFIGS = "config.import";

export const SAME_CONFIG_POLICIES = ["ABORT", "SKIP", "OVERWRITE"] as const;
export type SameConfigPolicy = (typeof SAME_CONFIG_POLICIES)[number];

export interface ImportItem extends ConfigAttributes {
  group: string;
  dataId: string;
  content: string;
  md5: string;
}

export interface ImportPayload {
  namespace: string;
  items: ImportItem[];
  policy: SameConfigPolicy;
  at: number;
  srcUser: string;
  srcIp: string;
}

export interface ImportResult {
  succCount: number;
  skipCount: number;
  failData: { dataId: string; group: string }[];
  skipData: { dataId: string; group: string }[];
}

export function importConfigsHandler(deps: CommandDeps): CommandHandler<ImportPayload, ImportResult> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      const result: ImportResult = { succCount: 0, skipCount: 0, failData: [], skipData: [] };
      const written: { before: ConfigRecord | undefined; after: ConfigRecord }[] = [];
      for (let i = 0; i < p.items.length; i++) {
        const item = p.items[i]!;
        const exists = t.findConfig({ namespace: p.namespace, group: item.group, dataId: item.dataId }) !== undefined;
        if (exists && p.policy === "SKIP") {
          result.skipCount++;
          result.skipData.push({ dataId: item.dataId, group: item.group });
          continue;
        }
        if (exists && p.policy === "ABORT") {
          result.failData.push({ dataId: item.dataId, group: item.group });
          for (const rest of p.items.slice(i + 1)) result.skipData.push({ dataId: rest.dataId, group: rest.group });
          result.skipCount += p.items.length - i - 1;
          break;
        }
        written.push(writeFormal(db, deps, { namespace: p.namespace, ...item, at: p.at, srcUser: p.srcUser, srcIp: p.srcIp }));
        result.succCount++;
      }
      ctx.afterCommit(() => {
        for (const w of written) formalWritten(deps, w.before, w.after);
      });
      return result;
    },
  };
}
