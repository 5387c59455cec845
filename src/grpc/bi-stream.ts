// The Nacos bi-stream (/BiRequestStream/requestBiStream): a client opens it once per connection and sends
// ConnectionSetupRequest (no reply); afterwards the server writes its requests (pushes, detection, reset)
// and the client writes the matching responses. Closing the stream ends the Nacos connection.
import type { Logger } from "../log.ts";
import { Connection, type ConnectionRegistry, type ConnectionSetup } from "./connection-registry.ts";
import type { Payload } from "./generated/nacos_grpc_service.ts";
import { type BidiMethod, type ServerStream } from "./method.ts";
import { PAYLOAD_CODEC } from "./payload-codec.ts";
import { parseBody, readPayload, type JsonObject } from "./payload.ts";
import { PushChannel } from "./push.ts";
import { GrpcStatus } from "./status.ts";

export interface BiStreamDeps {
  connections: ConnectionRegistry;
  /** undefined when the node takes connections; else why not. */
  notServing: () => string | undefined;
  push: { timeoutMs: number; retries: number; maxQueued: number; maxQueuedBytes: number };
  log: Logger;
  now: () => number;
}

const PAYLOAD = PAYLOAD_CODEC;

export function biStreamMethod(deps: BiStreamDeps): BidiMethod<Payload, Payload> {
  return { kind: "bidi", request: PAYLOAD, response: PAYLOAD, open: (stream) => openStream(stream, deps) };
}

function openStream(stream: ServerStream<Payload>, deps: BiStreamDeps) {
  const { connections, log } = deps;
  const session = stream.call.session;
  let connection: Connection | undefined;
  let clientEnded = false;

  const setUp = (clientIp: string, body: JsonObject) => {
    if (connection || connections.has(session.id)) {
      log.debug("repeated ConnectionSetupRequest ignored", { connection: session.id });
      return;
    }
    const refusal = deps.notServing();
    if (refusal !== undefined) {
      log.warn("connection setup refused", { connection: session.id, reason: refusal });
      stream.end(GrpcStatus.UNAVAILABLE, refusal);
      session.close();
      return;
    }
    const setup: ConnectionSetup = {
      clientIp,
      clientVersion: typeof body.clientVersion === "string" ? body.clientVersion : "",
      tenant: typeof body.tenant === "string" ? body.tenant : "",
      labels: stringMap(body.labels),
      abilities: body.abilityTable && typeof body.abilityTable === "object" ? booleanMap(body.abilityTable) : undefined,
    };
    const channel = new PushChannel({ connectionId: session.id, send: (payload) => stream.send(payload), ...deps.push });
    const closeTransport = () => {
      stream.end(GrpcStatus.OK);
      session.close();
    };
    connection = new Connection(session, setup, channel, closeTransport, deps.now());
    session.establish();
    connections.register(connection);
    const id = connection.id;
    session.onClose(() => connections.unregister(id, "connection closed"));
  };

  return {
    onMessage(payload: Payload) {
      const incoming = readPayload(payload);
      let body: JsonObject;
      try {
        body = parseBody(incoming.body);
      } catch (err) {
        log.warn("unreadable bi-stream payload ignored", { connection: session.id, type: incoming.type, error: err });
        return;
      }
      if (incoming.type === "ConnectionSetupRequest") return setUp(incoming.clientIp, body);
      if (!connection) {
        log.warn("bi-stream payload before ConnectionSetupRequest ignored", { connection: session.id, type: incoming.type });
        return;
      }
      connections.touch(connection.id, deps.now());
      if (incoming.type.endsWith("Response")) {
        if (!connection.channel.acknowledge(body)) {
          log.debug("response to no waiting request (late or unknown)", { connection: connection.id, type: incoming.type, requestId: body.requestId });
        }
        return;
      }
      log.warn("unexpected bi-stream payload ignored", { connection: connection.id, type: incoming.type });
    },
    onHalfClose() {
      clientEnded = true;
      stream.end(GrpcStatus.OK);
    },
    onClose(reason: string) {
      if (connection) connections.unregister(connection.id, clientEnded ? "client closed the bi-stream" : `bi-stream closed (${reason})`);
    },
  };
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

function booleanMap(value: object): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(value)) out[k] = v === true || v === "true";
  return out;
}
