// ServerCheckRequest: the first call a client makes on a new HTTP/2 connection, before the bi-stream.
// The answer carries the connection id (the client logs it and uses it in ConnectResetRequest handling).
// It needs no registered connection and no access check. Ability negotiation is not offered, so clients do
// not wait for a SetupAckRequest after ConnectionSetupRequest.
import type { HandlerRegistry } from "../handler-registry.ts";

export function registerServerCheck(handlers: HandlerRegistry): void {
  handlers.register(
    "ServerCheckRequest",
    (_request, context) => ({
      type: "ServerCheckResponse",
      body: { connectionId: context.connectionId, supportAbilityNegotiation: false },
    }),
    { connectionless: true, access: "public" },
  );
}
