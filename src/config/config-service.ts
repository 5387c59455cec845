// The configuration center's one service: every protocol (HTTP v1, v2, v3, gRPC) publishes, removes and
// reads configs through it. Writes are validated here, stamped with time, MD5 and origin, and proposed
// to the replicated log; reads come from the in-memory index.
import type { Proposer } from "../raft/proposer.ts";
import { DomainError } from "../errors.ts";
import type { ConfigIndex } from "./config-index.ts";
import { keyStringOf, normalizeNamespace, type ConfigKey } from "./model/config-key.ts";
import { BETA_GRAY_NAME, tagGrayName, type ConfigRecord } from "./model/config-record.ts";
import { configTypeOf } from "./model/config-type.ts";
import { md5Hex } from "./model/md5.ts";
import { checkAttributes, checkContent, checkKey, checkTag, parseBetaIps } from "./model/validation.ts";
import type { ClientIdentity, IndexedGray } from "./gray/gray-match.ts";
import { PUBLISH_CONFIG, type PublishPayload, type PublishResult } from "./commands/publish-config.ts";
import { REMOVE_CONFIG, REMOVE_CONFIGS_BY_ID, type RemoveByIdsPayload, type RemovePayload } from "./commands/remove-config.ts";
import { PROMOTE_GRAY, PUBLISH_GRAY, REMOVE_GRAY, type GrayTargetPayload, type PublishGrayPayload } from "./commands/gray-commands.ts";

/** Where a write comes from, for history and audit. */
export interface Origin {
  srcIp: string;
  srcUser?: string;
}

export interface PublishInput extends Origin {
  namespace: string;
  group: string;
  dataId: string;
  content: string;
  type?: string;
  desc?: string;
  appName?: string;
  configTags?: string;
  /** Publish only over this MD5 (compare-and-set). */
  casMd5?: string;
  /** Publish a beta version visible to these IPs (comma-separated) instead of the formal one. */
  betaIps?: string;
  /** Publish a tag version instead of the formal one. */
  tag?: string;
}

/** What a client reads. */
export interface ConfigRead {
  content: string;
  md5: string;
  type: string;
  lastModified: number;
  /** The client matched the beta version. */
  beta: boolean;
  /** The tag of the tag version the client matched ("" otherwise). */
  tag: string;
}

export interface ConfigServiceDeps {
  proposer: Proposer;
  index: ConfigIndex;
  now: () => number;
  maxContentBytes: number;
}

export class ConfigService {
  constructor(private readonly deps: ConfigServiceDeps) {}

  get index(): ConfigIndex {
    return this.deps.index;
  }

  /**
   * The version this client reads, or undefined (no such config, or an unknown tag was asked for).
   * The hot read path: a key found in the index was validated when written, so only a miss is checked
   * (to tell bad input, 400, from absence, 404); `client.ip` is only read when a beta exists.
   */
  read(namespace: string, group: string, dataId: string, client: ClientIdentity): ConfigRead | undefined {
    const r = this.deps.index.resolve(keyStringOf(normalizeNamespace(namespace), group, dataId), client);
    if (r) return r.gray ? grayRead(r.gray, r.formal) : formalRead(r.formal);
    checkKey(namespace, group, dataId);
    checkTag(client.tag);
    return undefined;
  }

  /**
   * read() after a ReadIndex barrier: sees every write committed before the call, on any node
   * (reads are local by default, as in Nacos, and may trail the leader by a replication delay).
   */
  async readLatest(namespace: string, group: string, dataId: string, client: ClientIdentity): Promise<ConfigRead | undefined> {
    await this.deps.proposer.readBarrier();
    return this.read(namespace, group, dataId, client);
  }

  /** The formal version with all its attributes (console detail). */
  detail(namespace: string, group: string, dataId: string): ConfigRecord | undefined {
    checkKey(namespace, group, dataId);
    return this.deps.index.formalOf(normalizeNamespace(namespace), group, dataId);
  }

  /** Publishes the formal version, or a beta or tag version. Resolves true; rejects with a DomainError. */
  async publish(input: PublishInput): Promise<boolean> {
    checkKey(input.namespace, input.group, input.dataId);
    checkContent(input.content, this.deps.maxContentBytes);
    checkAttributes(input);
    const tag = (input.tag ?? "").trim();
    checkTag(tag);
    const namespace = normalizeNamespace(input.namespace);
    const dataId = input.dataId.trim();
    const base = { namespace, group: input.group, dataId, content: input.content, md5: md5Hex(input.content), at: this.deps.now(), srcUser: input.srcUser ?? "", srcIp: input.srcIp };
    const type = configTypeOf(input.type);
    const casMd5 = input.casMd5 ? input.casMd5 : undefined;
    const betaIps = (input.betaIps ?? "").trim();
    if (betaIps !== "") {
      const ips = parseBetaIps(betaIps);
      const payload: PublishGrayPayload = { ...base, grayName: BETA_GRAY_NAME, kind: "beta", expr: ips.join(","), type, appName: input.appName ?? "", casMd5 };
      await this.deps.proposer.propose(PUBLISH_GRAY, payload);
      return true;
    }
    if (tag !== "") {
      const payload: PublishGrayPayload = { ...base, grayName: tagGrayName(tag), kind: "tag", expr: tag, type, appName: input.appName ?? "", casMd5 };
      await this.deps.proposer.propose(PUBLISH_GRAY, payload);
      return true;
    }
    const payload: PublishPayload = { ...base, type, desc: input.desc ?? "", appName: input.appName ?? "", configTags: input.configTags ?? "", casMd5 };
    await this.deps.proposer.propose<PublishResult>(PUBLISH_CONFIG, payload);
    return true;
  }

  /** Removes a config (with its gray versions), or only its tag version when `tag` is given. */
  async remove(namespace: string, group: string, dataId: string, origin: Origin & { tag?: string }): Promise<boolean> {
    checkKey(namespace, group, dataId);
    const tag = (origin.tag ?? "").trim();
    checkTag(tag);
    const key = { namespace: normalizeNamespace(namespace), group, dataId: dataId.trim() };
    if (tag !== "") return this.removeGray(key, tagGrayName(tag), origin);
    const payload: RemovePayload = { ...key, at: this.deps.now(), srcUser: origin.srcUser ?? "", srcIp: origin.srcIp };
    return this.deps.proposer.propose<boolean>(REMOVE_CONFIG, payload);
  }

  /** Removes configs by id (console batch delete); resolves with how many were removed. */
  async removeByIds(ids: number[], origin: Origin): Promise<number> {
    if (ids.length === 0) return 0;
    if (ids.length > 10_000) throw new DomainError("invalid", "too many ids, over 10000", 20002);
    const payload: RemoveByIdsPayload = { ids, at: this.deps.now(), srcUser: origin.srcUser ?? "", srcIp: origin.srcIp };
    return this.deps.proposer.propose<number>(REMOVE_CONFIGS_BY_ID, payload);
  }

  beta(namespace: string, group: string, dataId: string): IndexedGray | undefined {
    checkKey(namespace, group, dataId);
    return this.deps.index.gray({ namespace: normalizeNamespace(namespace), group, dataId }, BETA_GRAY_NAME);
  }

  /** Stops a beta: beta clients read the formal version again. Resolves true when a beta existed. */
  stopBeta(namespace: string, group: string, dataId: string, origin: Origin): Promise<boolean> {
    checkKey(namespace, group, dataId);
    return this.removeGray({ namespace: normalizeNamespace(namespace), group, dataId }, BETA_GRAY_NAME, origin);
  }

  /** The beta content becomes the formal version for everyone and the beta ends. */
  async promoteBeta(namespace: string, group: string, dataId: string, origin: Origin): Promise<boolean> {
    checkKey(namespace, group, dataId);
    const payload: GrayTargetPayload = { namespace: normalizeNamespace(namespace), group, dataId, grayName: BETA_GRAY_NAME, at: this.deps.now(), srcUser: origin.srcUser ?? "", srcIp: origin.srcIp };
    return this.deps.proposer.propose<boolean>(PROMOTE_GRAY, payload);
  }

  private removeGray(key: ConfigKey, grayName: string, origin: Origin): Promise<boolean> {
    const payload: GrayTargetPayload = { ...key, grayName, at: this.deps.now(), srcUser: origin.srcUser ?? "", srcIp: origin.srcIp };
    return this.deps.proposer.propose<boolean>(REMOVE_GRAY, payload);
  }
}

// One answer object per stored version: reads of an unchanged config allocate nothing.
const formalReads = new WeakMap<ConfigRecord, ConfigRead>();

function formalRead(f: ConfigRecord): ConfigRead {
  let read = formalReads.get(f);
  if (!read) {
    read = { content: f.content, md5: f.md5, type: f.type, lastModified: f.modifiedAt, beta: false, tag: "" };
    formalReads.set(f, read);
  }
  return read;
}

function grayRead(g: IndexedGray, formal: ConfigRecord | undefined): ConfigRead {
  return {
    content: g.content,
    md5: g.md5,
    type: formal?.type ?? g.type,
    lastModified: g.modifiedAt,
    beta: g.kind === "beta",
    tag: g.kind === "tag" ? g.expr : "",
  };
}
