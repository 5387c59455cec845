// PersistentInstanceRequest: a persistent instance (ephemeral=false) registered or deregistered
// through Raft; it outlives the connection (Nacos PersistentInstanceRequestHandler).
import type { HandlerRegistry } from "../handler-registry.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import { badParam } from "../../naming/naming-errors.ts";
import { checkIp, checkPort } from "../../naming/validation.ts";
import { stringField } from "../validate.ts";
import { instanceOf, namingAccess, namingHandler, serviceKeyOf } from "./naming-request.ts";

export function registerNamingPersistentInstance(handlers: HandlerRegistry, naming: NamingService): void {
  handlers.register(
    "PersistentInstanceRequest",
    namingHandler("InstanceResponse", async (request) => {
      const key = serviceKeyOf(request);
      const type = stringField(request, "type");
      const instance = instanceOf(request.instance);
      if (type === "registerInstance") {
        await naming.registerPersistent(key, instance);
      } else if (type === "deregisterInstance") {
        await naming.deregisterPersistent(key, checkIp(String(instance.ip ?? "")), checkPort(instance.port));
      } else {
        throw badParam(`Unsupported request type ${type}`);
      }
      return { type: "InstanceResponse", body: { type } };
    }),
    { errorResponseType: "InstanceResponse", access: namingAccess("write") },
  );
}
