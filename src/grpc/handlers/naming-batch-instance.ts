// BatchInstanceRequest: the connection's instances of the service become exactly the batch
// (Nacos BatchInstanceRequestHandler; clients re-send the remaining ones to deregister some).
import type { HandlerRegistry } from "../handler-registry.ts";
import type { NamingService } from "../../naming/naming-service.ts";
import { badParam } from "../../naming/naming-errors.ts";
import { stringField } from "../validate.ts";
import { instanceOf, namingAccess, namingHandler, serviceKeyOf } from "./naming-request.ts";

export function registerNamingBatchInstance(handlers: HandlerRegistry, naming: NamingService): void {
  handlers.register(
    "BatchInstanceRequest",
    namingHandler("BatchInstanceResponse", (request, ctx) => {
      const key = serviceKeyOf(request);
      const type = stringField(request, "type");
      if (type !== "batchRegisterInstance") throw badParam(`Unsupported request type ${type}`);
      const list = request.instances ?? [];
      if (!Array.isArray(list)) throw badParam("field instances must be a list");
      naming.batchRegister(key, list.map((i, n) => instanceOf(i, `instances[${n}]`)), ctx.connectionId);
      return { type: "BatchInstanceResponse", body: { type } };
    }),
    { errorResponseType: "BatchInstanceResponse", access: namingAccess("write") },
  );
}
