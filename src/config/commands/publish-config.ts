// config.publish: create or replace the formal version of a config, with an optional compare-and-set on
// the stored MD5, and one history row in the same transaction (I with the new content, U with the
// content it replaced).
import type { Database } from "bun:sqlite";
import { conflict } from "../../errors.ts";
import type { CommandHandler } from "../../raft/state-machine.ts";
import type { ConfigAttributes, ConfigRecord } from "../model/config-record.ts";
import type { NewHistory } from "../store/history-table.ts";
import { extInfoOf, type CommandDeps, type CommandOrigin } from "./command-effects.ts";

export const PUBLISH_CONFIG = "config.publish";

/** Nacos ErrorCode.RESOURCE_CONFLICT. */
export const RESOURCE_CONFLICT = 20005;
export const CAS_FAILED_MESSAGE = "Cas publish fail, server md5 may have changed.";

export interface PublishPayload extends ConfigAttributes {
  namespace: string;
  group: string;
  dataId: string;
  content: string;
  md5: string;
  /** When set, the publish only applies if the stored version has this MD5 (or none is stored). */
  casMd5?: string;
  at: number;
  srcUser: string;
  srcIp: string;
}

export interface PublishResult {
  id: number;
  created: boolean;
}

/** Writes the formal version and its history row; returns the old and new records. Shared with import and promote. */
export function writeFormal(db: Database, deps: CommandDeps, p: PublishPayload): { before: ConfigRecord | undefined; after: ConfigRecord } {
  const t = deps.tables(db);
  const before = t.findConfig(p);
  if (before && p.casMd5 !== undefined && before.md5 !== p.casMd5) throw conflict(CAS_FAILED_MESSAGE, RESOURCE_CONFLICT);
  // Object literals rather than spreads: this runs for every publish.
  if (before) {
    const after: ConfigRecord = {
      id: before.id,
      namespace: before.namespace,
      group: before.group,
      dataId: before.dataId,
      type: p.type,
      desc: p.desc,
      appName: p.appName,
      configTags: p.configTags,
      content: p.content,
      md5: p.md5,
      createdAt: before.createdAt,
      modifiedAt: p.at,
      srcUser: p.srcUser,
      srcIp: p.srcIp,
    };
    t.updateConfig(after, formalHistory(before, "U", p));
    return { before, after };
  }
  const id = t.nextId("config_id");
  const after: ConfigRecord = { id, namespace: p.namespace, group: p.group, dataId: p.dataId, type: p.type, desc: p.desc, appName: p.appName, configTags: p.configTags, content: p.content, md5: p.md5, createdAt: p.at, modifiedAt: p.at, srcUser: p.srcUser, srcIp: p.srcIp };
  t.insertConfig(after);
  t.history.append(formalHistory(after, "I", p));
  return { before, after };
}

/** The history row of a formal version: I holds the new version, U the one it replaced, D the one removed. */
export function formalHistory(recorded: ConfigRecord, opType: "I" | "U" | "D", o: CommandOrigin): NewHistory {
  return {
    configId: recorded.id,
    namespace: recorded.namespace,
    group: recorded.group,
    dataId: recorded.dataId,
    appName: recorded.appName,
    content: recorded.content,
    md5: recorded.md5,
    opType,
    publishType: "formal",
    grayName: "",
    extInfo: extInfoOf({ type: recorded.type, desc: recorded.desc, config_tags: recorded.configTags }),
    srcUser: o.srcUser,
    srcIp: o.srcIp,
    createdAt: o.at,
    modifiedAt: recorded.modifiedAt,
  };
}

/** Index update and change announcement for a formal write (no announcement when the content is the same). */
export function formalWritten(deps: CommandDeps, before: ConfigRecord | undefined, after: ConfigRecord): void {
  deps.index.setFormal(after);
  if (!before || before.md5 !== after.md5) deps.changed({ key: after, formalBefore: before !== undefined, formalAfter: true });
}

export function publishConfigHandler(deps: CommandDeps): CommandHandler<PublishPayload, PublishResult> {
  return {
    apply(db, p, ctx) {
      const { before, after } = writeFormal(db, deps, p);
      ctx.afterCommit(() => formalWritten(deps, before, after));
      return { id: after.id, created: before === undefined };
    },
  };
}
