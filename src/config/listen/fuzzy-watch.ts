// Nacos 3 fuzzy watch: a client watches a pattern "namespace>>groupPattern>>dataIdPattern" ('*' at the
// start and/or end of a part, or alone) and learns which configs match it — first by a sync (the keys
// it lacks as ADD_CONFIG, the ones it holds that are gone as DELETE_CONFIG, in batches, then
// FINISH_FUZZY_WATCH_INIT_NOTIFY when it was initializing), then by one push per config added or removed.
import { DomainError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { ConfigIndex } from "../config-index.ts";
import { groupKeyOf, namespaceIdOf, type ConfigKey } from "../model/config-key.ts";
import type { ConfigChange } from "../commands/command-effects.ts";
import type { PushFn } from "./change-pusher.ts";

export const FUZZY_WATCH_PATTERN_OVER_LIMIT = 50310;
export const FUZZY_WATCH_PATTERN_MATCH_COUNT_OVER_LIMIT = 50311;

export const FuzzySyncType = {
  INIT: "FUZZY_WATCH_INIT_NOTIFY",
  FINISH_INIT: "FINISH_FUZZY_WATCH_INIT_NOTIFY",
  DIFF: "FUZZY_WATCH_DIFF_SYNC_NOTIFY",
} as const;

export const ADD_CONFIG = "ADD_CONFIG";
export const DELETE_CONFIG = "DELETE_CONFIG";

/** Nacos ConfigCommonConfig defaults; the pattern count is per connection here. */
export interface FuzzyWatchLimits {
  maxPatternsPerConnection: number;
  maxMatchedConfigs: number;
  batchSize: number;
}

export const DEFAULT_FUZZY_LIMITS: FuzzyWatchLimits = { maxPatternsPerConnection: 20, maxMatchedConfigs: 500, batchSize: 20 };

export interface ParsedPattern {
  namespace: string;
  group: string;
  dataId: string;
}

export function parsePattern(pattern: string): ParsedPattern {
  const parts = pattern.split(">>");
  if (parts.length !== 3 || parts[1] === "" || parts[2] === "") {
    throw new DomainError("invalid", `invalid groupKeyPattern "${pattern}": expected namespace>>group>>dataId`, 400);
  }
  return { namespace: parts[0] === "" ? "public" : parts[0]!, group: parts[1]!, dataId: parts[2]! };
}

/** Nacos FuzzyGroupKeyPattern.itemMatched: exact, '*', '*x*' (contains), '*x' (suffix), 'x*' (prefix). */
export function itemMatches(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  if (pattern === "*") return true;
  const pure = pattern.replaceAll("*", "");
  if (pattern.startsWith("*") && pattern.endsWith("*")) return value.includes(pure);
  if (pattern.startsWith("*")) return value.endsWith(pure);
  if (pattern.endsWith("*")) return value.startsWith(pure);
  return false;
}

export function patternMatches(p: ParsedPattern, key: ConfigKey): boolean {
  return p.namespace === namespaceIdOf(key.namespace) && itemMatches(p.group, key.group) && itemMatches(p.dataId, key.dataId);
}

export class FuzzyWatchRegistry {
  /** pattern → parsed form and the connections watching it. */
  private readonly patterns = new Map<string, { parsed: ParsedPattern; connections: Set<string> }>();
  private readonly byConnection = new Map<string, Set<string>>();

  constructor(
    private readonly index: ConfigIndex,
    private readonly push: PushFn,
    private readonly log: Logger,
    private readonly limits: FuzzyWatchLimits = DEFAULT_FUZZY_LIMITS,
  ) {}

  /** Keys of formal configs matching the pattern, as group keys. */
  matching(parsed: ParsedPattern): Set<string> {
    const out = new Set<string>();
    for (const c of this.index.formals()) if (patternMatches(parsed, c)) out.add(groupKeyOf(c));
    return out;
  }

  /**
   * Starts watching (or re-syncs an existing watch) and schedules the sync pushes. Throws a DomainError
   * with Nacos's code when a limit is reached.
   */
  watch(connectionId: string, pattern: string, received: readonly string[], initializing: boolean): void {
    const parsed = parsePattern(pattern);
    const mine = this.byConnection.get(connectionId);
    if (!mine?.has(pattern) && (mine?.size ?? 0) >= this.limits.maxPatternsPerConnection) {
      throw new DomainError("invalid", "fuzzy watch pattern over limit", FUZZY_WATCH_PATTERN_OVER_LIMIT);
    }
    const matched = this.matching(parsed);
    if (matched.size > this.limits.maxMatchedConfigs) {
      throw new DomainError("invalid", "fuzzy watch pattern matched count over limit", FUZZY_WATCH_PATTERN_MATCH_COUNT_OVER_LIMIT);
    }
    let entry = this.patterns.get(pattern);
    if (!entry) {
      entry = { parsed, connections: new Set() };
      this.patterns.set(pattern, entry);
    }
    entry.connections.add(connectionId);
    if (mine) mine.add(pattern);
    else this.byConnection.set(connectionId, new Set([pattern]));

    const have = new Set(received);
    const contexts: { groupKey: string; changedType: string }[] = [];
    for (const k of matched) if (!have.has(k)) contexts.push({ groupKey: k, changedType: ADD_CONFIG });
    for (const k of have) if (!matched.has(k)) contexts.push({ groupKey: k, changedType: DELETE_CONFIG });
    // After the response: the bridge delivers pushes to one connection in order, one at a time.
    setImmediate(() => this.sendSync(connectionId, pattern, contexts, initializing));
  }

  cancel(connectionId: string, pattern: string): void {
    const entry = this.patterns.get(pattern);
    if (entry?.connections.delete(connectionId) && entry.connections.size === 0) this.patterns.delete(pattern);
    const mine = this.byConnection.get(connectionId);
    if (mine?.delete(pattern) && mine.size === 0) this.byConnection.delete(connectionId);
  }

  dropConnection(connectionId: string): void {
    for (const pattern of this.byConnection.get(connectionId) ?? []) this.cancel(connectionId, pattern);
    this.byConnection.delete(connectionId);
  }

  /** A config appeared or disappeared: tell every connection whose pattern matches it. */
  changed(change: ConfigChange): void {
    if (change.formalBefore === change.formalAfter || this.patterns.size === 0) return;
    const changedType = change.formalAfter ? ADD_CONFIG : DELETE_CONFIG;
    const groupKey = groupKeyOf(change.key);
    const notified = new Set<string>();
    for (const entry of this.patterns.values()) {
      if (!patternMatches(entry.parsed, change.key)) continue;
      for (const connectionId of entry.connections) {
        if (notified.has(connectionId)) continue;
        notified.add(connectionId);
        this.send(connectionId, "ConfigFuzzyWatchChangeNotifyRequest", { module: "config", groupKey, changeType: changedType });
      }
    }
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  private sendSync(connectionId: string, pattern: string, contexts: { groupKey: string; changedType: string }[], initializing: boolean): void {
    if (!this.byConnection.get(connectionId)?.has(pattern)) return;
    const size = this.limits.batchSize;
    const total = Math.ceil(contexts.length / size);
    const syncType = initializing ? FuzzySyncType.INIT : FuzzySyncType.DIFF;
    for (let i = 0; i < total; i++) {
      this.send(connectionId, "ConfigFuzzyWatchSyncRequest", {
        module: "config",
        groupKeyPattern: pattern,
        contexts: contexts.slice(i * size, (i + 1) * size),
        syncType,
        totalBatch: total,
        currentBatch: i + 1,
      });
    }
    if (initializing) {
      this.send(connectionId, "ConfigFuzzyWatchSyncRequest", { module: "config", groupKeyPattern: pattern, syncType: FuzzySyncType.FINISH_INIT, totalBatch: 0, currentBatch: 0 });
    }
  }

  private send(connectionId: string, type: string, body: Record<string, unknown>): void {
    this.push(connectionId, type, body).catch((err: unknown) => {
      this.log.debug("fuzzy watch push failed", { connection: connectionId, type, error: err });
    });
  }
}
