// Nacos 3 fuzzy-watch patterns (FuzzyGroupKeyPattern): `namespace>>groupPattern>>servicePattern`,
// where a part is exact, "*", "*text*" (contains), "*text" (ends with) or "text*" (starts with).
import { badParam } from "../naming-errors.ts";
import type { ServiceKey } from "../model/names.ts";

export const PATTERN_SPLITTER = ">>";

export interface FuzzyPattern {
  readonly text: string;
  readonly namespace: string;
  readonly group: string;
  readonly service: string;
}

export function parseFuzzyPattern(text: string): FuzzyPattern {
  const parts = text.split(PATTERN_SPLITTER);
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    throw badParam(`invalid fuzzy watch pattern ${JSON.stringify(text)}: expected namespace>>groupPattern>>servicePattern`);
  }
  return { text, namespace: parts[0]!, group: parts[1]!, service: parts[2]! };
}

export function patternMatches(pattern: FuzzyPattern, key: ServiceKey): boolean {
  return pattern.namespace === key.namespace && itemMatches(pattern.group, key.group) && itemMatches(pattern.service, key.name);
}

export function itemMatches(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  if (pattern === "*") return true;
  const core = pattern.replaceAll("*", "");
  if (pattern.startsWith("*") && pattern.endsWith("*")) return value.includes(core);
  if (pattern.startsWith("*")) return value.endsWith(core);
  if (pattern.endsWith("*")) return value.startsWith(core);
  return false;
}
