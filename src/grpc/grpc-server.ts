// Puts the bridge together: HTTP/2 gRPC server + Nacos dispatch + connections + push + idle detection.
// See index.ts for the public API and how domains use it.
import type { AccessChecker } from "../auth/access.ts";
import type { Logger } from "../log.ts";
import { biStreamMethod } from "./bi-stream.ts";
import { ConnectionRegistry } from "./connection-registry.ts";
import { HandlerRegistry } from "./handler-registry.ts";
import { registerHealthCheck } from "./handlers/health-check.ts";
import { registerServerCheck } from "./handlers/server-check.ts";
import { GrpcHttp2Server } from "./http2-server.ts";
import type { Method } from "./method.ts";
import { IdleDetector } from "./idle-detector.ts";
import { NACOS_ANSWER_CODEC, NACOS_REQUEST_CODEC, type DecodedPayload, type JsonObject } from "./payload.ts";
import { PushError, type PushOptions } from "./push.ts";
import { RequestDispatcher } from "./request-dispatcher.ts";
import { NacosMessage } from "./response.ts";
import { GrpcStatus } from "./status.ts";

export const REQUEST_PATH = "/Request/request";
export const BI_STREAM_PATH = "/BiRequestStream/requestBiStream";
export interface GrpcServerOptions {
  /** Address to bind (RNACOS_SDK_HOST). */
  host: string;
  /** Port to bind (RNACOS_GRPC_PORT); 0 picks a free one (see `port` after start()). */
  port: number;
  log: Logger;
  access: AccessChecker;
  /** False while the node cannot serve yet (e.g. Raft not ready): requests get errorCode 300. */
  isReady: () => boolean;
  /** Largest message accepted, after decompression (RNACOS_GRPC_MAX_MESSAGE_SIZE). Default 10 MiB. */
  maxMessageBytes?: number;
  /** Most client connections at once (RNACOS_GRPC_MAX_CONNECTIONS). Default 20000. */
  maxConnections?: number;
  /**
   * A connection that has neither sent ConnectionSetupRequest nor called a cluster method within this is
   * closed (RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND × 1000); 0 turns it off. Default 30000.
   */
  handshakeTimeoutMs?: number;
  /** HTTP/2 concurrent streams per connection. Default 1000. */
  maxConcurrentStreams?: number;
  /** Per connection: unfinished incoming messages + queued outgoing bytes. Default 2 × maxMessageBytes + 1 MiB. */
  maxConnectionBufferBytes?: number;
  /** Silence after which a connection is probed (RNACOS_GRPC_DETECTION_TIMEOUT_SECOND × 1000). Default 15000. */
  detectionTimeoutMs?: number;
  /** Time a probed connection has to answer. Default min(5000, detectionTimeoutMs). */
  detectionProbeTimeoutMs?: number;
  /** Log every probe at info (RNACOS_ENABLE_GRPC_DETECTION_LOG). Default false. */
  logDetection?: boolean;
  /** Wait for one push ack. Default 3000. */
  pushTimeoutMs?: number;
  /** Extra attempts after a push times out. Default 2. */
  pushRetries?: number;
  /** Pushes waiting per connection before push() rejects with "queue_full". Default 1000. */
  pushQueueMax?: number;
  /** Bytes of pushes waiting per connection. Default maxConnectionBufferBytes. */
  pushQueueMaxBytes?: number;
  /** drain(): how long to wait for ConnectResetResponse and for connections to close. Default 3000. */
  drainTimeoutMs?: number;
  /** Clock (tests). Default Date.now. */
  now?: () => number;
}

export interface GrpcServer {
  /** Register Nacos request handlers here: handlers.register("ConfigQueryRequest", fn, options). */
  readonly handlers: HandlerRegistry;
  /** Connected clients: lookups, count, list, connected/disconnected events. */
  readonly connections: ConnectionRegistry;
  /**
   * Sends a server request (e.g. "NotifySubscriberRequest") to a connection and resolves with the client's
   * response body. Ordered per connection; rejects with PushError (not_connected, queue_full, buffer_full,
   * timeout after retries, rejected, closed).
   */
  push(connectionId: string, type: string, body: JsonObject, options?: PushOptions): Promise<JsonObject>;
  /** Serves another gRPC method on the same port (the cluster channel: "/rnacos.cluster.Raft/Append"...). */
  addMethod(path: string, method: Method): void;
  /** The bound port (after start()). */
  readonly port: number;
  /** Binds and starts serving; rejects with a clear message when the port is taken. */
  start(): Promise<void>;
  /**
   * Graceful shutdown: refuses new work (errorCode 300 / UNAVAILABLE), sends ConnectResetRequest to every
   * connection so clients move to another server, unregisters them, closes every connection, stops listening.
   */
  drain(): Promise<void>;
  /** Immediate shutdown: unregisters every connection and closes everything. */
  stop(): Promise<void>;
}

const MiB = 1024 * 1024;

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const log = options.log;
  const now = options.now ?? Date.now;
  const maxMessageBytes = options.maxMessageBytes ?? 10 * MiB;
  const maxConnectionBufferBytes = options.maxConnectionBufferBytes ?? 2 * maxMessageBytes + MiB;
  const detectionTimeoutMs = options.detectionTimeoutMs ?? 15_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 3000;
  let state: "new" | "serving" | "draining" | "stopped" = "new";

  const handlers = new HandlerRegistry();
  const connections = new ConnectionRegistry(log);
  const notServing = (): string | undefined => {
    if (state === "draining" || state === "stopped") return "Server is shutting down, please try another server.";
    return options.isReady() ? undefined : NacosMessage.STARTING;
  };

  const http = new GrpcHttp2Server({
    host: options.host,
    port: options.port,
    maxMessageBytes,
    maxConnections: options.maxConnections ?? 20_000,
    maxConcurrentStreams: options.maxConcurrentStreams ?? 1000,
    maxConnectionBufferBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30_000,
    log,
    now,
  });
  const dispatcher = new RequestDispatcher({ handlers, connections, access: options.access, notServing, log, now });
  http.addMethod(REQUEST_PATH, {
    kind: "unary",
    request: NACOS_REQUEST_CODEC,
    response: NACOS_ANSWER_CODEC,
    handle: (req: DecodedPayload, call) => dispatcher.answer(req, call),
  });
  http.addMethod(
    BI_STREAM_PATH,
    biStreamMethod({
      connections,
      notServing,
      log,
      now,
      push: {
        timeoutMs: options.pushTimeoutMs ?? 3000,
        retries: options.pushRetries ?? 2,
        maxQueued: options.pushQueueMax ?? 1000,
        maxQueuedBytes: options.pushQueueMaxBytes ?? maxConnectionBufferBytes,
      },
    }),
  );
  registerServerCheck(handlers);
  registerHealthCheck(handlers);

  const detector = new IdleDetector({
    connections,
    timeoutMs: detectionTimeoutMs,
    probeTimeoutMs: options.detectionProbeTimeoutMs ?? Math.min(5000, detectionTimeoutMs),
    logProbes: options.logDetection ?? false,
    log,
    now,
  });

  const unregisterAll = (reason: string) => {
    for (const c of connections.entries()) connections.unregister(c.id, reason);
  };

  return {
    handlers,
    connections,
    get port() {
      return http.port;
    },
    addMethod: (path, method) => http.addMethod(path, method),

    push(connectionId, type, body, pushOptions) {
      const connection = connections.entry(connectionId);
      if (!connection) return Promise.reject(new PushError("not_connected", `no connection ${connectionId}`, connectionId));
      return connection.channel.push(type, body, pushOptions);
    },

    async start() {
      if (state !== "new") throw new Error(`gRPC server cannot start: it is ${state}`);
      const port = await http.listen();
      state = "serving";
      detector.start();
      log.info("gRPC server listening", { host: options.host, port, maxMessageBytes, detectionTimeoutMs });
    },

    async drain() {
      if (state !== "serving") return;
      state = "draining";
      detector.stop();
      http.refuseNewConnections({ code: GrpcStatus.UNAVAILABLE, message: "server is shutting down" });
      const all = connections.entries();
      log.info("gRPC drain: asking clients to reconnect elsewhere", { connections: all.length });
      await Promise.allSettled(
        all.map((c) =>
          c.channel.request("ConnectResetRequest", { module: "internal" }, { timeoutMs: drainTimeoutMs, retries: 0 }).catch((err: Error) => {
            log.debug("no ConnectResetResponse", { connection: c.id, error: err.message });
          }),
        ),
      );
      unregisterAll("server shutting down");
      await http.closeSessions(drainTimeoutMs);
      await http.close();
      state = "stopped";
      log.info("gRPC server drained and stopped");
    },

    async stop() {
      if (state === "stopped") return;
      state = "stopped";
      detector.stop();
      unregisterAll("server stopped");
      await http.close();
    },
  };
}
