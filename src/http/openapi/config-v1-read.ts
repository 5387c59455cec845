// GET /nacos/v1/cs/configs (the SDK read, hot path): the raw content with Content-MD5, Config-Type and
// Last-Modified; 404 "config data not exist". A beta reader gets isBeta: true, a tag reader the tag.
import type { Server } from "bun";
import type { ConfigApi } from "../../config/config-api.ts";
import type { ConfigRead } from "../../config/config-service.ts";
import { mediaTypeOf } from "../../config/model/config-type.ts";
import { missing, TEXT_UTF8 } from "./config-http-answers.ts";
import { remoteIp, type Params } from "./config-http-params.ts";

const NO_CACHE = { Pragma: "no-cache", Expires: "Thu, 01 Jan 1970 00:00:00 GMT", "Cache-Control": "no-cache,no-store" };

/** Nacos's v1 answer headers for a found config (shared by v2, whose body is JSON instead). */
export function configHeaders(read: ConfigRead, contentType: string): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": contentType,
    "Content-MD5": read.md5,
    "Config-Type": read.type,
    "Last-Modified": new Date(read.lastModified).toUTCString(),
    ...NO_CACHE,
  };
  if (read.beta) headers.isBeta = "true";
  if (read.tag !== "") headers.tag = encodeURIComponent(read.tag);
  return headers;
}

export function readConfigV1(api: ConfigApi, request: Request, server: Server<unknown> | null, params: Params): Response {
  const dataId = params.get("dataId");
  if (dataId === undefined) throw missing("dataId");
  const group = params.get("group");
  if (group === undefined) throw missing("group");
  const tag = params.text("tag");
  const read = api.configs.read(params.text("tenant"), group, dataId, { ip: remoteIp(request, server), tag });
  if (!read) return new Response("config data not exist\n", { status: 404, headers: { "Content-Type": TEXT_UTF8, ...NO_CACHE } });
  return new Response(read.content, { headers: configHeaders(read, mediaTypeOf(read.type)) });
}
