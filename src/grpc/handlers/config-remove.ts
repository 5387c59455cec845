// ConfigRemoveRequest: remove a config (or only its tag version when `tag` is set).
import type { ConfigService } from "../../config/config-service.ts";
import type { HandlerRegistry } from "../handler-registry.ts";
import { stringField } from "../validate.ts";
import { answering, configResource } from "./config-grpc-support.ts";

export function registerConfigRemove(handlers: HandlerRegistry, configs: ConfigService): void {
  handlers.register(
    "ConfigRemoveRequest",
    (request, ctx) =>
      answering("ConfigRemoveResponse", async () => {
        await configs.remove(stringField(request, "tenant"), stringField(request, "group"), stringField(request, "dataId"), {
          tag: stringField(request, "tag"),
          srcIp: ctx.clientIp,
        });
        return { type: "ConfigRemoveResponse" };
      }),
    { errorResponseType: "ConfigRemoveResponse", access: { action: "write", resource: configResource } },
  );
}
