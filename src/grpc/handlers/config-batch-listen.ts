// ConfigBatchListenRequest: listen (or, with listen=false, stop listening) to keys on this connection.
// The answer lists the keys whose MD5 the client holds is stale (it fetches them); later changes arrive
// as ConfigChangeNotifyRequest pushes. Listeners end with the connection.
import type { ConfigListening, ListenItem } from "../../config/listen/config-listening.ts";
import { invalidParam } from "../../config/model/validation.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import type { JsonObject } from "../payload.ts";
import { stringField } from "../validate.ts";
import { answering } from "./config-grpc-support.ts";

function items(request: JsonObject): ListenItem[] {
  const raw = request.configListenContexts ?? [];
  if (!Array.isArray(raw)) throw invalidParam("configListenContexts must be a list");
  return raw.map((c) => {
    if (c === null || typeof c !== "object") throw invalidParam("configListenContexts holds a non-object");
    const o = c as JsonObject;
    return { dataId: stringField(o, "dataId"), group: stringField(o, "group"), tenant: stringField(o, "tenant"), md5: stringField(o, "md5") };
  });
}

export function registerConfigBatchListen(handlers: HandlerRegistry, listening: ConfigListening): void {
  handlers.register(
    "ConfigBatchListenRequest",
    (request, ctx) =>
      answering("ConfigChangeBatchListenResponse", () => {
        const keys = items(request);
        if (request.listen === false) {
          listening.unlisten(ctx.connectionId, keys);
          return { type: "ConfigChangeBatchListenResponse", body: { changedConfigs: [] } };
        }
        const tag = ctx.headers["Vipserver-Tag"] ?? "";
        const stale = listening.listen(ctx.connectionId, keys, { ip: ctx.clientIp, tag });
        return { type: "ConfigChangeBatchListenResponse", body: { changedConfigs: stale.map((k) => ({ group: k.group, dataId: k.dataId, tenant: k.tenant })) } };
      }),
    { errorResponseType: "ConfigChangeBatchListenResponse", access: { action: "read" } },
  );
}
