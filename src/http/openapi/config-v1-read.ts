// GET /nacos/v1/cs/configs (the SDK read, hot path): the raw content with Content-MD5, Config-Type and
// Last-Modified; 404 "config data not exist". A beta reader gets isBeta: true, a tag reader the tag.
// The answer is built once per stored version (one ConfigRead object each) and cloned per request.
import type { Server } from "bun";
import type { ConfigApi } from "../../config/config-api.ts";
import type { ConfigRead } from "../../config/config-service.ts";
import { mediaTypeOf } from "../../config/model/config-type.ts";
import type { ClientIdentity } from "../../config/gray/gray-match.ts";
import { JSON_UTF8, missing, TEXT_UTF8 } from "./config-http-answers.ts";
import { remoteIp, type Params } from "./config-http-params.ts";

const NO_CACHE = { Pragma: "no-cache", Expires: "Thu, 01 Jan 1970 00:00:00 GMT", "Cache-Control": "no-cache,no-store" };

/** Nacos's answer headers for a found config (v1; v2 too, whose body is JSON instead). */
export function configHeaders(read: ConfigRead, contentType: string): Headers {
  const cache = contentType === JSON_UTF8 ? v2HeaderCache : v1HeaderCache;
  const cached = cache.get(read);
  if (cached) return cached;
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    "Content-MD5": read.md5,
    "Config-Type": read.type,
    "Last-Modified": new Date(read.lastModified).toUTCString(),
    ...NO_CACHE,
  };
  if (read.beta) headers.isBeta = "true";
  if (read.tag !== "") headers.tag = encodeURIComponent(read.tag);
  const built = new Headers(headers);
  cache.set(read, built);
  return built;
}

// Per answer object (one per stored version): headers, and the whole v1 answer to clone.
const v1HeaderCache = new WeakMap<ConfigRead, Headers>();
const v2HeaderCache = new WeakMap<ConfigRead, Headers>();
const v1Answers = new WeakMap<ConfigRead, Response>();

/** The client as reads see it; its address is only worked out when a beta needs it. */
class LazyClient implements ClientIdentity {
  private address: string | undefined;
  constructor(
    private readonly request: Request,
    private readonly server: Server<unknown> | null,
    readonly tag: string,
  ) {}

  get ip(): string {
    return (this.address ??= remoteIp(this.request, this.server));
  }
}

export function lazyClient(request: Request, server: Server<unknown> | null, tag: string): ClientIdentity {
  return new LazyClient(request, server, tag);
}

function v1Answer(read: ConfigRead): Response {
  let answer = v1Answers.get(read);
  if (!answer) {
    answer = new Response(read.content, { headers: configHeaders(read, mediaTypeOf(read.type)) });
    v1Answers.set(read, answer);
  }
  return answer.clone();
}

export function readConfigV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Response {
  const [dataId, group] = requireKey(params);
  return v1Read(api.configs.read(params.text("tenant"), group, dataId, lazyClient(request, server, params.text("tag"))));
}

/** `consistency=linearizable`: the read waits for a ReadIndex barrier first (see ConfigService.readLatest). */
export async function readConfigV1Linearizable(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Promise<Response> {
  const [dataId, group] = requireKey(params);
  return v1Read(await api.configs.readLatest(params.text("tenant"), group, dataId, lazyClient(request, server, params.text("tag"))));
}

export function wantsLinearizable(params: Params): boolean {
  return params.is("consistency", "linearizable");
}

function requireKey(params: Params): [string, string] {
  const dataId = params.get("dataId");
  if (dataId === undefined) throw missing("dataId");
  const group = params.get("group");
  if (group === undefined) throw missing("group");
  return [dataId, group];
}

function v1Read(read: ConfigRead | undefined): Response {
  if (!read) return new Response("config data not exist\n", { status: 404, headers: { "Content-Type": TEXT_UTF8, ...NO_CACHE } });
  return v1Answer(read);
}
