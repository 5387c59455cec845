// ConfigQueryRequest: read a config as this client sees it (beta by its IP, tag version by the tag it
// sends). Not found answers ConfigQueryResponse with errorCode 300 "config data not exist", as Nacos.
// Go SDKs declare `tag` as a bool, so a tag name is only sent to other clients.
import type { ConfigRead, ConfigService } from "../../config/config-service.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import { toJson } from "../payload.ts";
import { stringField } from "../validate.ts";
import { answering, configResource } from "./config-grpc-support.ts";

export const CONFIG_NOT_FOUND = 300;

// The answer's JSON per formal version (ConfigService hands out one read object per version): a hot
// config is read by every client, and its content was serialized on every read (~0.5 µs per 1 KB).
const formalJson = new WeakMap<ConfigRead, string>();

function fieldsOf(read: ConfigRead): Record<string, unknown> {
  return { content: read.content, encryptedDataKey: "", contentType: read.type, md5: read.md5, lastModified: read.lastModified, beta: read.beta, isBeta: read.beta };
}

export function registerConfigQuery(handlers: HandlerRegistry, configs: ConfigService): void {
  handlers.register(
    "ConfigQueryRequest",
    (request, ctx) =>
      answering("ConfigQueryResponse", () => {
        const tag = stringField(request, "tag") || (ctx.headers["Vipserver-Tag"] ?? "");
        const read = configs.read(stringField(request, "tenant"), stringField(request, "group"), stringField(request, "dataId"), { ip: ctx.clientIp, tag });
        if (!read) return { type: "ConfigQueryResponse", error: { code: CONFIG_NOT_FOUND, message: "config data not exist" } };
        if (read.tag === "" && !read.beta) {
          // the formal version: the same answer for every client
          let bodyJson = formalJson.get(read);
          if (bodyJson === undefined) formalJson.set(read, (bodyJson = toJson(fieldsOf(read))));
          return { type: "ConfigQueryResponse", bodyJson };
        }
        const body = fieldsOf(read);
        const goClient = ctx.connection?.clientVersion.startsWith("Nacos-Go-Client") ?? false;
        if (read.tag !== "" && !goClient) body.tag = encodeURIComponent(read.tag);
        return { type: "ConfigQueryResponse", body };
      }),
    { errorResponseType: "ConfigQueryResponse", access: { action: "read", resource: configResource } },
  );
}
