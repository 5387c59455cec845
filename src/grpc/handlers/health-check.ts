// HealthCheckRequest: clients send it when their connection has been quiet for a while (Java: every 5 s
// of silence). A registered connection gets HealthCheckResponse; an unknown one gets errorCode 301 from
// the dispatcher, which makes the client reconnect.
import type { HandlerRegistry } from "../handler-registry.ts";

export function registerHealthCheck(handlers: HandlerRegistry): void {
  handlers.register("HealthCheckRequest", () => ({ type: "HealthCheckResponse" }), { access: "public" });
}
