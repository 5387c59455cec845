// ConfigPublishRequest: publish with an optional CAS (`casMd5`) and Nacos's additionMap (type, desc,
// config_tags or tags, appName, betaIps, tag, src_user). A CAS miss answers errorCode 500 with Nacos's
// message; bad input 400.
import type { ConfigService } from "../../config/config-service.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import { stringField } from "../validate.ts";
import { answering, configResource, stringMap } from "./config-grpc-support.ts";

export function registerConfigPublish(handlers: HandlerRegistry, configs: ConfigService): void {
  handlers.register(
    "ConfigPublishRequest",
    (request, ctx) =>
      answering("ConfigPublishResponse", async () => {
        const extra = stringMap(request, "additionMap");
        await configs.publish({
          namespace: stringField(request, "tenant"),
          group: stringField(request, "group"),
          dataId: stringField(request, "dataId"),
          content: stringField(request, "content"),
          casMd5: stringField(request, "casMd5"),
          type: extra.type,
          desc: extra.desc,
          configTags: extra.config_tags ?? extra.tags,
          appName: extra.appName ?? (ctx.connection?.appName !== "-" ? ctx.connection?.appName : undefined),
          betaIps: extra.betaIps,
          tag: extra.tag,
          srcUser: extra.src_user,
          srcIp: ctx.clientIp,
        });
        return { type: "ConfigPublishResponse" };
      }),
    { errorResponseType: "ConfigPublishResponse", access: { action: "write", resource: configResource } },
  );
}
