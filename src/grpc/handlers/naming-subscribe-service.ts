// SubscribeServiceRequest: subscribe (or unsubscribe) the connection to a service; the answer
// carries the current instances and later changes arrive as NotifySubscriberRequest pushes
// (Nacos SubscribeServiceRequestHandler).
import type { HandlerRegistry } from "../handler-registry.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import type { JsonObject } from "../payload.ts";
import { stringField } from "../validate.ts";
import { callerOf, namingAccess, namingHandler, serviceKeyOf } from "./naming-request.ts";

export function registerNamingSubscribeService(handlers: HandlerRegistry, naming: NamingService): void {
  handlers.register(
    "SubscribeServiceRequest",
    namingHandler("SubscribeServiceResponse", (request, ctx) => {
      const key = serviceKeyOf(request);
      const clusters = stringField(request, "clusters");
      const { agent, app } = callerOf(ctx);
      const view = request.subscribe === false ? naming.unsubscribe(key, ctx.connectionId, clusters) : naming.subscribe(key, ctx.connectionId, clusters, ctx.clientIp, agent, app);
      return { type: "SubscribeServiceResponse", body: { serviceInfo: view.info as unknown as JsonObject } };
    }),
    { errorResponseType: "SubscribeServiceResponse", access: namingAccess("read") },
  );
}
