// ConfigQueryRequest: read a config as this client sees it (beta by its IP, tag version by the tag it
// sends). Not found answers ConfigQueryResponse with errorCode 300 "config data not exist", as Nacos.
// Go SDKs declare `tag` as a bool, so a tag name is only sent to other clients.
import type { ConfigService } from "../../config/config-service.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import { stringField } from "../validate.ts";
import { answering, configResource } from "./config-grpc-support.ts";

export const CONFIG_NOT_FOUND = 300;

export function registerConfigQuery(handlers: HandlerRegistry, configs: ConfigService): void {
  handlers.register(
    "ConfigQueryRequest",
    (request, ctx) =>
      answering("ConfigQueryResponse", () => {
        const tag = stringField(request, "tag") || (ctx.headers["Vipserver-Tag"] ?? "");
        const read = configs.read(stringField(request, "tenant"), stringField(request, "group"), stringField(request, "dataId"), { ip: ctx.clientIp, tag });
        if (!read) return { type: "ConfigQueryResponse", error: { code: CONFIG_NOT_FOUND, message: "config data not exist" } };
        const body: Record<string, unknown> = {
          content: read.content,
          encryptedDataKey: "",
          contentType: read.type,
          md5: read.md5,
          lastModified: read.lastModified,
          beta: read.beta,
          isBeta: read.beta,
        };
        const goClient = ctx.connection?.clientVersion.startsWith("Nacos-Go-Client") ?? false;
        if (read.tag !== "" && !goClient) body.tag = encodeURIComponent(read.tag);
        return { type: "ConfigQueryResponse", body };
      }),
    { errorResponseType: "ConfigQueryResponse", access: { action: "read", resource: configResource } },
  );
}
