// POST /nacos/v1/cs/configs/listener: HTTP 1.x long-polling. `Listening-Configs` (form or query) lists
// the keys; `Long-Pulling-Timeout` holds the request (answered 500 ms before the client gives up),
// `Long-Pulling-Timeout-No-Hangup: true` answers at once, no timeout header means short polling. The
// body lists changed keys URL-encoded; empty when nothing changed.
import { Elysia } from "elysia";
import type { ConfigApi } from "../../config/config-api.ts";
import { holdTimeFor } from "../../config/listen/long-poll-registry.ts";
import { formatChangedKeys, parseListeningConfigs } from "../../config/listen/listening-configs.ts";
import { checkTag, invalidParam } from "../../config/model/validation.ts";
import { json, missing, v1 } from "./config-http-answers.ts";
import { formParams, queryParams, RAW_BODY, remoteIp } from "./config-http-params.ts";

const NO_CACHE = { "Content-Type": "text/html;charset=UTF-8", Pragma: "no-cache", Expires: "Thu, 01 Jan 1970 00:00:00 GMT", "Cache-Control": "no-cache,no-store" };

export function configV1ListenerRoutes(api: ConfigApi) {
  return new Elysia({ name: "config-v1-listener" })
    .get(
      "/nacos/v1/cs/configs/listener",
      // Console: which clients listen to a config and the MD5 each holds (Nacos GroupkeyListenserStatus).
      v1(({ request }) => {
        const p = queryParams(request);
        const dataId = p.get("dataId");
        if (dataId === undefined) throw missing("dataId");
        const status = api.listening.status(p.text("tenant"), p.text("group") || "DEFAULT_GROUP", dataId);
        return json({ collectStatus: 200, lisentersGroupkeyStatus: status });
      }),
    )
    .post(
      "/nacos/v1/cs/configs/listener",
      v1(async ({ request, server }) => {
        const params = await formParams(request);
        const probe = params.text("Listening-Configs");
        if (probe.trim() === "") throw invalidParam("invalid probeModify");
        const keys = parseListeningConfigs(probe);
        const tag = request.headers.get("Vipserver-Tag") ?? "";
        checkTag(tag);
        const client = { ip: remoteIp(request, server), tag };
        const timeoutHeader = request.headers.get("Long-Pulling-Timeout");
        const holdMs = timeoutHeader === null ? 0 : holdTimeFor(Number(timeoutHeader));
        const noHangUp = timeoutHeader === null || (request.headers.get("Long-Pulling-Timeout-No-Hangup") ?? "").toLowerCase() === "true";
        const changed = await api.longPolls.poll(keys, client, { holdMs, noHangUp }, request.signal);
        return new Response(formatChangedKeys(changed), { headers: NO_CACHE });
      }),
      RAW_BODY,
    );
}
