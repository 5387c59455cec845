// Test doubles for the bridge's pure parts: a session, a call context, a registered connection.
import { Connection, type ConnectionSetup } from "../../../src/grpc/connection-registry.ts";
import type { CallContext, SessionInfo } from "../../../src/grpc/method.ts";
import type { Payload } from "../../../src/grpc/generated/nacos_grpc_service.ts";
import { PushChannel } from "../../../src/grpc/push.ts";

export function fakeSession(id = "1700000000000_10.0.0.5_50001"): SessionInfo & { closedCount: number } {
  const [, ip, port] = id.split("_");
  const s = {
    id,
    remoteAddress: ip!,
    remotePort: Number(port),
    localPort: 9848,
    createdAt: 1_700_000_000_000,
    closed: false,
    established: false,
    establish() {
      s.established = true;
    },
    closedCount: 0,
    close() {
      s.closedCount++;
    },
    onClose() {},
  };
  return s;
}

export function fakeCall(session: SessionInfo = fakeSession()): CallContext {
  return { session, path: "/Request/request", metadata: {}, deadline: undefined, signal: new AbortController().signal };
}

export function fakeConnection(session: SessionInfo, setup: Partial<ConnectionSetup> = {}, now = 1000) {
  const written: Payload[] = [];
  const closes: string[] = [];
  const channel = new PushChannel({
    connectionId: session.id,
    timeoutMs: 50,
    retries: 0,
    maxQueued: 10,
    maxQueuedBytes: 1 << 20,
    send: (p) => {
      written.push(p);
      return Promise.resolve();
    },
  });
  const connection = new Connection(
    session,
    { clientIp: "", clientVersion: "Nacos-Java-Client:v2.3.0", tenant: "ns1", labels: { AppName: "app1", source: "sdk" }, abilities: undefined, ...setup },
    channel,
    (reason) => closes.push(reason),
    now,
  );
  return { connection, written, closes };
}
