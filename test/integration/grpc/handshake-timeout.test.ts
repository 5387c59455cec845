// RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND against the real rnacos process: a connection that has not sent
// ConnectionSetupRequest when the window ends is closed (bare TCP, HTTP/2 with only a server check, a
// bi-stream without setup) and gives its maxConnections slot back; registered connections and cluster
// peers stay. "Busy with a call" needs a slow connectionless method, so it runs on the bridge-only
// test server.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import type { ClientHttp2Session } from "node:http2";
import net from "node:net";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { CLUSTER_PATHS } from "../../../src/raft/transport/grpc-transport.ts";
import { TOKEN_HEADER } from "../../../src/raft/transport/grpc-client.ts";
import { encodeFrame } from "../../../src/grpc/framing.ts";
import { call, connect, grpcHeaders, nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { literal, startRealServer } from "./support/real-server.ts";
import { startGrpcTestServer } from "./support/test-server-process.ts";

setDefaultTimeout(30_000);

// 2 s rather than 1: the registered client must finish its own setup well inside the window on a loaded machine.
const WINDOW_MS = 2000;
const WINDOW_SECONDS = String(WINDOW_MS / 1000);
/** The window, plus the 1 s grace a closing connection gets for its open streams, plus slack for a loaded machine. */
const CLOSED_WITHIN_MS = WINDOW_MS + 1000 + 3000;

/** A TCP connection that never sends a byte; it reads (and drops) what comes, so it sees the server's close. */
function bareTcp(port: number): net.Socket {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  socket.on("data", () => {});
  return socket;
}

/** Resolves with the ms from `since` until the socket closed. */
function tcpClosed(socket: net.Socket, since: number): Promise<number> {
  return new Promise((resolve) => {
    if (socket.closed) return resolve(Date.now() - since);
    socket.once("close", () => resolve(Date.now() - since));
  });
}

function sessionClosed(session: ClientHttp2Session, since: number): Promise<number> {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) return resolve(Date.now() - since);
    session.once("close", () => resolve(Date.now() - since));
  });
}

function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, Bun.sleep(ms).then(() => Promise.reject(new Error(`${what} did not happen within ${ms} ms`)))]);
}

describe("handshake window (real server, RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND=2)", () => {
  test("connections that never set up are closed after the window; registered ones and cluster peers stay", async () => {
    const server = await startRealServer({ RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND: WINDOW_SECONDS });
    const sessions: ClientHttp2Session[] = [];
    let client: NacosGrpcClient | undefined;
    const bare = bareTcp(server.grpcPort);
    try {
      const started = Date.now();
      const bareClosed = tcpClosed(bare, started);

      // HTTP/2 with a successful server check, and nothing more
      const checkOnly = await connect(server.grpcPort);
      sessions.push(checkOnly);
      checkOnly.on("error", () => {});
      const check = await call(checkOnly, grpcHeaders("/Request/request"), [nacosFrame("ServerCheckRequest", {})]);
      expect(payloadsOf(check.data)[0]!.body.resultCode).toBe(200);
      const checkOnlyClosed = sessionClosed(checkOnly, started);

      // a bi-stream that is open but never carries ConnectionSetupRequest
      const noSetup = await connect(server.grpcPort);
      sessions.push(noSetup);
      noSetup.on("error", () => {});
      const stream = noSetup.request(grpcHeaders("/BiRequestStream/requestBiStream"));
      stream.on("error", () => {});
      const noSetupClosed = sessionClosed(noSetup, started);

      // a cluster peer: a Raft stream open on its connection, no Nacos setup
      const peer = await connect(server.grpcPort);
      sessions.push(peer);
      peer.on("error", () => {});
      const raft = peer.request(grpcHeaders(CLUSTER_PATHS.stream));
      raft.on("error", () => {});
      raft.write(encodeFrame(new Uint8Array(0))); // an empty RaftBatch

      client = await new NacosGrpcClient(server.address).connect();

      for (const [what, closed] of [
        ["bare TCP connection", bareClosed],
        ["HTTP/2 connection with only a server check", checkOnlyClosed],
        ["HTTP/2 connection with a bi-stream but no setup", noSetupClosed],
      ] as const) {
        const ms = await within(`closing the ${what}`, closed, CLOSED_WITHIN_MS);
        expect(ms).toBeGreaterThanOrEqual(WINDOW_MS - 50);
      }
      expect(server.logLines(/closing gRPC connection that did not set up in time/).length).toBe(3);

      // well past the window: the registered client and the peer are still connected and served
      await Bun.sleep(Math.max(0, started + 2 * WINDOW_MS + 1000 - Date.now()));
      expect(peer.closed || peer.destroyed).toBe(false);
      const onPeer = await call(peer, grpcHeaders("/Request/request"), [nacosFrame("ServerCheckRequest", {})]);
      expect(onPeer.grpcStatus).toBe(0);
      const health = await client.request("HealthCheckRequest");
      expect(health.body.resultCode).toBe(200);
      expect(server.logLines(new RegExp(`connection unregistered connection=${literal(client.connectionId!)}`))).toEqual([]);
      expect(server.logLines(/closing gRPC connection that did not set up in time/).length).toBe(3);
    } finally {
      bare.destroy();
      for (const s of sessions) s.destroy();
      client?.close();
      await server.dispose();
    }
  });

  test("with RNACOS_CLUSTER_TOKEN set, only a cluster call with the right token identifies a connection", async () => {
    const server = await startRealServer({ RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND: WINDOW_SECONDS, RNACOS_CLUSTER_TOKEN: "s3cret-token" });
    const sessions: ClientHttp2Session[] = [];
    try {
      const started = Date.now();
      const openRaftStream = async (token: string) => {
        const session = await connect(server.grpcPort);
        sessions.push(session);
        session.on("error", () => {});
        const raft = session.request(grpcHeaders(CLUSTER_PATHS.stream, { [TOKEN_HEADER]: token }));
        raft.on("error", () => {});
        raft.write(encodeFrame(new Uint8Array(0)));
        return session;
      };
      const stranger = await openRaftStream("wrong-token");
      const peer = await openRaftStream("s3cret-token");
      const ms = await within("closing the connection with the wrong token", sessionClosed(stranger, started), CLOSED_WITHIN_MS);
      expect(ms).toBeGreaterThanOrEqual(WINDOW_MS - 50);
      await Bun.sleep(Math.max(0, started + 2 * WINDOW_MS + 1000 - Date.now()));
      expect(peer.closed || peer.destroyed).toBe(false);
      expect(server.logLines(/closing gRPC connection that did not set up in time/).length).toBe(1);
    } finally {
      for (const s of sessions) s.destroy();
      await server.dispose();
    }
  });

  test("a connection that never set up gives its RNACOS_GRPC_MAX_CONNECTIONS slot back", async () => {
    const server = await startRealServer({ RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND: WINDOW_SECONDS, RNACOS_GRPC_MAX_CONNECTIONS: "2" });
    const squatters = [bareTcp(server.grpcPort), bareTcp(server.grpcPort)];
    const clients: NacosGrpcClient[] = [];
    try {
      await Promise.all(squatters.map((s) => new Promise((r) => s.once("connect", r))));
      await Bun.sleep(100); // let the server accept both before the next one arrives
      const refused = new NacosGrpcClient(server.address);
      clients.push(refused);
      const err = await refused.request("ServerCheckRequest", {}, { deadlineMs: 5000 }).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);

      await within("closing the idle connections", Promise.all(squatters.map((s) => tcpClosed(s, Date.now()))), CLOSED_WITHIN_MS);
      const admitted = await new NacosGrpcClient(server.address).connect();
      clients.push(admitted);
      expect((await admitted.request("HealthCheckRequest")).body.resultCode).toBe(200);
    } finally {
      for (const s of squatters) s.destroy();
      for (const c of clients) c.close();
      await server.dispose();
    }
  });
});

describe("handshake window (bridge only)", () => {
  test("a connection busy with a call when the window ends is not cut; it is closed once the call is answered", async () => {
    const server = await startGrpcTestServer({ handshakeTimeoutMs: 500 });
    const session = await connect(server.port);
    session.on("error", () => {});
    try {
      const started = Date.now();
      const closed = sessionClosed(session, started);
      const slow = encodeFrame(new TextEncoder().encode("1500"));
      const r = await call(session, grpcHeaders("/rnacos.test.Slow/Unary"), [slow]);
      expect(r.grpcStatus).toBe(0);
      expect(new TextDecoder().decode(r.data.subarray(5))).toBe("slept 1500");
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      const ms = await within("closing the connection after its call", closed, 5000);
      expect(ms).toBeGreaterThanOrEqual(1500);
    } finally {
      session.destroy();
      await server.kill();
    }
  });
});
