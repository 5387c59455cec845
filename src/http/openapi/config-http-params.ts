// Reading Nacos OpenAPI requests: parameters come from the query string and, for writes, from a
// urlencoded form body (the query wins, as in Spring); the client's address honours X-Forwarded-For and
// X-Real-IP first (Nacos RequestUtil.getRemoteIp), so gray release by IP works behind a proxy.
import type { Server } from "bun";

/** Route option: Elysia leaves the body unread, the adapter reads it (form, multipart or JSON). */
export const RAW_BODY = { parse: "none" } as const;

export class Params {
  constructor(private readonly values: Map<string, string>) {}

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The value, or "" when absent. */
  text(name: string, ...aliases: string[]): string {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    for (const a of aliases) {
      const w = this.values.get(a);
      if (w !== undefined) return w;
    }
    return "";
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  is(name: string, value: string): boolean {
    return this.values.get(name) === value;
  }
}

function decode(s: string): string {
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return new URLSearchParams(`v=${s}`).get("v") ?? s; // malformed escapes: decode as browsers do
  }
}

/** Form/query decoding (first value of a repeated name wins); a plain split, as this is on the hot path. */
function addAll(into: Map<string, string>, search: string): void {
  if (search === "") return;
  for (const pair of search.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const k = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (!into.has(k)) into.set(k, eq < 0 ? "" : decode(pair.slice(eq + 1)));
  }
}

// Parsed query strings, by their text: a hot config is read by many clients with the same query, and
// Params never change once built. Bounded: cleared when full.
const parsedQueries = new Map<string, Params>();
const PARSED_QUERIES_MAX = 1024;

/** Query-string parameters only (reads). */
export function queryParams(request: Request, url = request.url): Params {
  const q = url.indexOf("?");
  const search = q >= 0 ? url.slice(q + 1) : "";
  let params = parsedQueries.get(search);
  if (params) return params;
  const values = new Map<string, string>();
  addAll(values, search);
  params = new Params(values);
  if (parsedQueries.size >= PARSED_QUERIES_MAX) parsedQueries.clear();
  parsedQueries.set(search, params);
  return params;
}

/** Query-string then urlencoded-body parameters (writes). */
export async function formParams(request: Request): Promise<Params> {
  const url = request.url;
  const q = url.indexOf("?");
  const values = new Map<string, string>();
  if (q >= 0) addAll(values, url.slice(q + 1));
  const type = request.headers.get("content-type") ?? "";
  // text() is "" without a body; asking for request.body first would build a stream for nothing.
  if (type === "" || type.includes("application/x-www-form-urlencoded")) addAll(values, await request.text());
  return new Params(values);
}

export function remoteIp(request: Request, server: Server<unknown> | null | undefined): string {
  const forwarded = request.headers.get("x-forwarded-for");
  if (forwarded) {
    const first = forwarded.split(",")[0]!.trim();
    if (first !== "") return first;
  }
  const real = request.headers.get("x-real-ip");
  if (real) return real.trim();
  const address = server?.requestIP(request)?.address ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
