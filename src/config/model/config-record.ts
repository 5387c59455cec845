// What the configuration center stores: the formal version of a config, its gray (beta / tag)
// versions, and the history of both.
import type { ConfigKey } from "./config-key.ts";

/** Descriptive fields a publish may carry besides the content (Nacos "advance info"). */
export interface ConfigAttributes {
  type: string;
  desc: string;
  appName: string;
  /** Comma-separated, as Nacos's config_tags. */
  configTags: string;
}

export interface ConfigRecord extends ConfigKey, ConfigAttributes {
  /** Stable id (Nacos config_info.id), used by batch delete, export by ids, history "previous". */
  id: number;
  content: string;
  md5: string;
  createdAt: number;
  modifiedAt: number;
  srcUser: string;
  srcIp: string;
}

/** "beta" (by client IP) or "tag" (by the tag a client sends). */
export type GrayKind = "beta" | "tag";

export interface GrayRecord extends ConfigKey {
  /** "beta" or "tag_<tag>", as Nacos names gray versions. */
  grayName: string;
  kind: GrayKind;
  /** Beta: comma-separated IPs; tag: the tag. */
  expr: string;
  content: string;
  md5: string;
  type: string;
  appName: string;
  createdAt: number;
  modifiedAt: number;
  srcUser: string;
  srcIp: string;
}

export const BETA_GRAY_NAME = "beta";

export function tagGrayName(tag: string): string {
  return `tag_${tag}`;
}

export type OpType = "I" | "U" | "D";
export type PublishType = "formal" | "gray";

/**
 * One history row, as Nacos keeps them: an insert records the new content; an update records the
 * content it replaced; a delete records the content it removed.
 */
export interface HistoryRecord extends ConfigKey {
  /** History row id (Nacos nid). */
  nid: number;
  /** The config's id (Nacos his_config_info.id). */
  configId: number;
  appName: string;
  content: string;
  md5: string;
  opType: OpType;
  publishType: PublishType;
  grayName: string;
  /** JSON of the attributes (type, desc, config_tags) and, for gray rows, the gray rule. */
  extInfo: string;
  srcUser: string;
  srcIp: string;
  /** When the change happened. */
  createdAt: number;
  /** When the recorded version was last modified. */
  modifiedAt: number;
}

export interface NamespaceRecord {
  id: string;
  name: string;
  desc: string;
  createdAt: number;
}
