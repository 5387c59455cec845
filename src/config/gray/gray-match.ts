// Which version of a config a client reads (Nacos's query chain): a matching gray version first (beta by
// client IP, then tag by the tag the client sent), else "not found" when the client asked for a tag
// nobody published, else the formal version.
import type { ConfigRecord, GrayRecord } from "../model/config-record.ts";

/** Who is asking: the client's IP and the tag it sent ("" for none). */
export interface ClientIdentity {
  ip: string;
  tag: string;
}

export const ANONYMOUS: ClientIdentity = { ip: "", tag: "" };

/** A gray version with its beta IPs parsed once. */
export interface IndexedGray extends GrayRecord {
  betaIps: ReadonlySet<string>;
}

export function indexGray(g: GrayRecord): IndexedGray {
  const betaIps = new Set(g.kind === "beta" ? g.expr.split(",").map((s) => s.trim()).filter((s) => s !== "") : []);
  return { ...g, betaIps };
}

/** Beta outranks tags (Nacos priorities MAX and MAX-1); tags in name order. */
export function sortGrays(grays: IndexedGray[]): IndexedGray[] {
  return grays.sort((a, b) => (a.kind === b.kind ? (a.grayName < b.grayName ? -1 : a.grayName > b.grayName ? 1 : 0) : a.kind === "beta" ? -1 : 1));
}

export function grayMatches(g: IndexedGray, client: ClientIdentity): boolean {
  return g.kind === "beta" ? client.ip !== "" && g.betaIps.has(client.ip) : client.tag !== "" && g.expr === client.tag;
}

export type Resolved = { formal: ConfigRecord; gray?: undefined } | { formal?: ConfigRecord; gray: IndexedGray };

export function resolveVersion(formal: ConfigRecord | undefined, grays: readonly IndexedGray[], client: ClientIdentity): Resolved | undefined {
  for (const g of grays) if (grayMatches(g, client)) return { formal, gray: g };
  if (client.tag !== "") return undefined;
  return formal ? { formal } : undefined;
}
