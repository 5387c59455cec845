// InstanceRequest: a 2.x client registers or deregisters its ephemeral instance; it lives as long
// as the connection (Nacos InstanceRequestHandler).
import type { HandlerRegistry } from "../handler-registry.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import { badParam } from "../../naming/naming-errors.ts";
import { stringField } from "../validate.ts";
import { instanceOf, namingAccess, namingHandler, serviceKeyOf } from "./naming-request.ts";

export function registerNamingInstance(handlers: HandlerRegistry, naming: NamingService): void {
  handlers.register(
    "InstanceRequest",
    namingHandler("InstanceResponse", async (request, ctx) => {
      const key = serviceKeyOf(request);
      const type = stringField(request, "type");
      if (type === "registerInstance") {
        // Persistent instances come as PersistentInstanceRequest; this one always lives by its connection.
        await naming.register(key, { ...instanceOf(request.instance), ephemeral: true }, { kind: "grpc", connectionId: ctx.connectionId });
      } else if (type === "deregisterInstance") {
        naming.deregisterForConnection(key, ctx.connectionId);
      } else {
        throw badParam(`Unsupported request type ${type}`);
      }
      return { type: "InstanceResponse", body: { type } };
    }),
    { errorResponseType: "InstanceResponse", access: namingAccess("write") },
  );
}
