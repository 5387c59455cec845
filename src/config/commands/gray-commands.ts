// Gray release: config.publishGray (beta by client IPs, or by tag), config.removeGray (stop beta / drop a
// tag version) and config.promoteGray (the gray content becomes the formal version, the gray version
// goes). Each writes gray history rows (publish_type "gray") in the same transaction.
import type { Database } from "bun:sqlite";
import { conflict, notFound } from "../../errors.ts";
import type { CommandHandler } from "../../raft/state-machine.ts";
import type { ConfigKey } from "../model/config-key.ts";
import type { GrayKind, GrayRecord } from "../model/config-record.ts";
import { extInfoOf, type CommandDeps, type CommandOrigin as Origin } from "./command-effects.ts";
import { RESOURCE_CONFLICT, writeFormal } from "./publish-config.ts";

export const PUBLISH_GRAY = "config.publishGray";
export const REMOVE_GRAY = "config.removeGray";
export const PROMOTE_GRAY = "config.promoteGray";

export interface PublishGrayPayload extends ConfigKey, Origin {
  grayName: string;
  kind: GrayKind;
  expr: string;
  content: string;
  md5: string;
  type: string;
  appName: string;
  casMd5?: string;
}

export interface GrayTargetPayload extends ConfigKey, Origin {
  grayName: string;
}

function configIdOf(db: Database, deps: CommandDeps, key: ConfigKey): number {
  return deps.tables(db).findConfig(key)?.id ?? 0;
}

/** The history row of a gray version written (I/U) or removed (D); shared with config removal. */
export function grayHistory(db: Database, deps: CommandDeps, g: GrayRecord, opType: "I" | "U" | "D", o: Origin): void {
  const t = deps.tables(db);
  t.history.append({
    configId: configIdOf(db, deps, g),
    namespace: g.namespace,
    group: g.group,
    dataId: g.dataId,
    appName: g.appName,
    content: g.content,
    md5: g.md5,
    opType,
    publishType: "gray",
    grayName: g.grayName,
    extInfo: extInfoOf({ type: g.type, gray_rule: g.expr }),
    srcUser: o.srcUser,
    srcIp: o.srcIp,
    createdAt: o.at,
    modifiedAt: g.modifiedAt,
  });
}

const keyOf = (p: ConfigKey): ConfigKey => ({ namespace: p.namespace, group: p.group, dataId: p.dataId });

export function publishGrayHandler(deps: CommandDeps): CommandHandler<PublishGrayPayload, boolean> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      const key = keyOf(p);
      const before = t.findGray(key, p.grayName);
      if (before && p.casMd5 !== undefined && before.md5 !== p.casMd5) throw conflict("Cas publish gray config fail, server md5 may have changed.", RESOURCE_CONFLICT);
      const after: GrayRecord = {
        ...key,
        grayName: p.grayName,
        kind: p.kind,
        expr: p.expr,
        content: p.content,
        md5: p.md5,
        type: p.type,
        appName: p.appName,
        createdAt: before?.createdAt ?? p.at,
        modifiedAt: p.at,
        srcUser: p.srcUser,
        srcIp: p.srcIp,
      };
      t.upsertGray(after);
      grayHistory(db, deps, before ?? after, before ? "U" : "I", p);
      const formalExists = t.findConfig(key) !== undefined;
      ctx.afterCommit(() => {
        deps.index.setGray(after);
        deps.changed({ key, formalBefore: formalExists, formalAfter: formalExists });
      });
      return before === undefined;
    },
  };
}

/** Resolves true when the gray version existed. */
export function removeGrayHandler(deps: CommandDeps): CommandHandler<GrayTargetPayload, boolean> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      const key = keyOf(p);
      const gray = t.findGray(key, p.grayName);
      if (!gray) return false;
      t.deleteGray(key, p.grayName);
      grayHistory(db, deps, gray, "D", p);
      const formalExists = t.findConfig(key) !== undefined;
      ctx.afterCommit(() => {
        deps.index.deleteGray(key, p.grayName);
        deps.changed({ key, formalBefore: formalExists, formalAfter: formalExists });
      });
      return true;
    },
  };
}

/** The gray content becomes the formal version (attributes kept), then the gray version is removed. */
export function promoteGrayHandler(deps: CommandDeps): CommandHandler<GrayTargetPayload, boolean> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      const key = keyOf(p);
      const gray = t.findGray(key, p.grayName);
      if (!gray) throw notFound(`no gray version "${p.grayName}" of dataId ${p.dataId}, group ${p.group}`, 20004);
      const current = t.findConfig(key);
      const { before, after } = writeFormal(db, deps, {
        ...key,
        content: gray.content,
        md5: gray.md5,
        type: current?.type ?? gray.type,
        desc: current?.desc ?? "",
        appName: current?.appName || gray.appName,
        configTags: current?.configTags ?? "",
        at: p.at,
        srcUser: p.srcUser,
        srcIp: p.srcIp,
      });
      t.deleteGray(key, p.grayName);
      grayHistory(db, deps, gray, "D", p);
      ctx.afterCommit(() => {
        deps.index.deleteGray(key, p.grayName);
        deps.index.setFormal(after);
        // Everyone reads new content now (gray clients lose nothing, the rest gain the gray content).
        deps.changed({ key, formalBefore: before !== undefined, formalAfter: true });
      });
      return true;
    },
  };
}
