// The two hottest naming paths, served natively by Bun ahead of Elysia: GET /nacos/v1/ns/instance/list
// (every 1.x client polls it, and registers its UDP push port through it) and PUT
// /nacos/v1/ns/instance/beat (every 1.x instance, every 5 s). Request limits and v1 error answers
// are applied here as the app does them.
import type { Server } from "bun";
import { isIP } from "node:net";
import type { Logger } from "../../log.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import type { BuiltView } from "../../naming/view/service-info.ts";
import { checkIp, checkPort } from "../../naming/validation.ts";
import { checkRequestLimits, type RequestLimits } from "../request-limits.ts";
import type { NativeRoutes } from "./openapi-app.ts";
import { intParam, params, type Params, parseBeat, queryOf, required, serviceKeyFrom, v1 } from "./naming-http.ts";

export const INSTANCE_LIST_PATH = "/nacos/v1/ns/instance/list";
export const INSTANCE_BEAT_PATH = "/nacos/v1/ns/instance/beat";

export function namingV1Native(naming: NamingService, limits: RequestLimits, log: Logger): NativeRoutes {
  return {
    [INSTANCE_LIST_PATH]: {
      GET: (request, server) => checkRequestLimits(request, limits) ?? v1(log, () => list(naming, request, server)),
    },
    [INSTANCE_BEAT_PATH]: {
      PUT: (request) => checkRequestLimits(request, limits) ?? v1(log, async () => beat(naming, params(queryOf(request.url), await formBody(request)))),
    },
  };
}

function list(naming: NamingService, request: Request, server: Server<unknown>): Response {
  const p = queryOf(request.url);
  const key = serviceKeyFrom(p);
  const udpPort = intParam(p, "udpPort", 0, 0, 65535);
  const udp =
    udpPort > 0
      ? {
          ip: p.clientIP && isIP(p.clientIP.trim()) ? p.clientIP.trim() : (server.requestIP(request)?.address ?? ""),
          port: udpPort,
          agent: request.headers.get("user-agent") ?? request.headers.get("client-version") ?? "",
          app: p.app ?? "",
        }
      : undefined;
  // Boolean.parseBoolean in Nacos: anything but "true" is false.
  const healthyOnly = p.healthyOnly?.trim().toLowerCase() === "true";
  const view = naming.list(key, { clusters: p.clusters ?? "", healthyOnly, groupedName: true }, udp);
  return listResponse(view, request.headers.get("accept-encoding"));
}

function beat(naming: NamingService, p: Params): Response {
  const key = serviceKeyFrom(p);
  const info = parseBeat(p);
  const ip = checkIp(info?.ip ?? required(p, "ip"));
  const port = checkPort(info?.port ?? required(p, "port"));
  const result = naming.beat(key, ip, port, info);
  return new Response(beatAnswer(result.code, result.clientBeatIntervalMs));
}

/** Java 1.x clients send the beat as a form body; others put everything in the query. */
async function formBody(request: Request): Promise<Params | undefined> {
  if (!request.headers.get("content-type")?.includes("application/x-www-form-urlencoded")) return undefined;
  return queryOf(`?${await request.text()}`);
}

/** Nacos clients send Accept-Encoding: gzip; a large list then goes out gzipped (built once per view). */
const GZIP_FROM_BYTES = 1024;
const GZIP_HEADERS = { "content-type": "application/json;charset=UTF-8", "content-encoding": "gzip", vary: "Accept-Encoding" };
function listResponse(view: BuiltView, acceptEncoding: string | null): Response {
  if (view.json.length < GZIP_FROM_BYTES || !acceptEncoding?.includes("gzip")) return new Response(view.body);
  view.gzipped ??= new Blob([Bun.gzipSync(view.json)]);
  return new Response(view.gzipped, { headers: GZIP_HEADERS });
}

// Beat answers repeat: the few distinct ones are kept as Blobs, which a Response shares without copying.
const beatAnswers = new Map<string, Blob>();
function beatAnswer(code: number, intervalMs: number): Blob {
  const key = `${code}|${intervalMs}`;
  let blob = beatAnswers.get(key);
  if (!blob) {
    if (beatAnswers.size > 64) beatAnswers.clear();
    blob = new Blob([JSON.stringify({ clientBeatInterval: intervalMs, code, lightBeatEnabled: true })], { type: "application/json;charset=UTF-8" });
    beatAnswers.set(key, blob);
  }
  return blob;
}
