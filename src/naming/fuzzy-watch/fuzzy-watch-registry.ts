// Which connections fuzzy-watch which patterns, and which services each pattern currently reports
// (Nacos NamingFuzzyWatchContextService). A service is reported while it has instances: it is
// "added" when it gets its first and "deleted" when its last one goes. The registry only decides
// who must hear what; sending is the caller's.
import { badParam, overLimit } from "../naming-errors.ts";
import { NAMING_LIMITS } from "../limits.ts";
import { type ServiceKey, serviceKeyString } from "../model/names.ts";
import { type FuzzyPattern, parseFuzzyPattern, patternMatches } from "./fuzzy-pattern.ts";

export const ADD_SERVICE = "ADD_SERVICE";
export const DELETE_SERVICE = "DELETE_SERVICE";
export type ChangedType = typeof ADD_SERVICE | typeof DELETE_SERVICE;

export interface ServiceChange {
  serviceKey: string;
  changedType: ChangedType;
}

interface PatternState {
  pattern: FuzzyPattern;
  watchers: Set<string>;
  matched: Set<string>;
}

export class FuzzyWatchRegistry {
  private readonly patterns = new Map<string, PatternState>();
  private readonly byConnection = new Map<string, Set<string>>();

  /**
   * Registers the connection's watch and returns what the client is missing or holds wrongly,
   * compared with `received` (the service keys it already knows).
   */
  watch(patternText: string, connectionId: string, received: Iterable<string>, populated: () => Iterable<ServiceKey>): ServiceChange[] {
    const pattern = parseFuzzyPattern(patternText);
    const mine = this.byConnection.get(connectionId);
    if (!mine?.has(pattern.text) && (mine?.size ?? 0) >= NAMING_LIMITS.fuzzyPatternsPerConnection) {
      throw overLimit(`a connection may fuzzy-watch at most ${NAMING_LIMITS.fuzzyPatternsPerConnection} patterns`);
    }
    let state = this.patterns.get(pattern.text);
    if (!state) {
      const matched = new Set<string>();
      for (const key of populated()) {
        if (!patternMatches(pattern, key)) continue;
        if (matched.size >= NAMING_LIMITS.fuzzyMatchesPerPattern) throw overLimit(`pattern ${pattern.text} matches more than ${NAMING_LIMITS.fuzzyMatchesPerPattern} services`);
        matched.add(serviceKeyString(key));
      }
      state = { pattern, watchers: new Set(), matched };
      this.patterns.set(pattern.text, state);
    }
    state.watchers.add(connectionId);
    if (!mine) this.byConnection.set(connectionId, new Set([pattern.text]));
    else mine.add(pattern.text);
    const known = new Set(received);
    const changes: ServiceChange[] = [];
    for (const key of state.matched) if (!known.has(key)) changes.push({ serviceKey: key, changedType: ADD_SERVICE });
    for (const key of known) if (!state.matched.has(key)) changes.push({ serviceKey: key, changedType: DELETE_SERVICE });
    return changes;
  }

  cancel(patternText: string, connectionId: string): void {
    const state = this.patterns.get(patternText);
    state?.watchers.delete(connectionId);
    if (state && state.watchers.size === 0) this.patterns.delete(patternText);
    const mine = this.byConnection.get(connectionId);
    mine?.delete(patternText);
    if (mine?.size === 0) this.byConnection.delete(connectionId);
  }

  dropConnection(connectionId: string): void {
    for (const text of [...(this.byConnection.get(connectionId) ?? [])]) this.cancel(text, connectionId);
  }

  /** A service got instances or lost its last one: who must be told, and what. */
  serviceChanged(key: ServiceKey, changedType: ChangedType): { connectionId: string; change: ServiceChange }[] {
    const id = serviceKeyString(key);
    const out = new Map<string, ServiceChange>();
    for (const state of this.patterns.values()) {
      if (!patternMatches(state.pattern, key)) continue;
      if (changedType === ADD_SERVICE) {
        if (state.matched.has(id) || state.matched.size >= NAMING_LIMITS.fuzzyMatchesPerPattern) continue;
        state.matched.add(id);
      } else if (!state.matched.delete(id)) {
        continue;
      }
      for (const c of state.watchers) out.set(c, { serviceKey: id, changedType });
    }
    return [...out].map(([connectionId, change]) => ({ connectionId, change }));
  }

  watchedPatterns(connectionId: string): string[] {
    return [...(this.byConnection.get(connectionId) ?? [])];
  }

  get patternCount(): number {
    return this.patterns.size;
  }
}

export function requireWatchType(type: unknown): "WATCH" | "CANCEL_WATCH" {
  if (type === "WATCH" || type === "CANCEL_WATCH") return type;
  throw badParam(`Unsupported request type ${String(type)}`);
}
