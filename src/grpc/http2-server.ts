// A small gRPC server on node:http2 (h2c): a table from method path to a unary or bidi-stream method
// (method.ts), plus what belongs to connections: accepting or refusing them, their ids, limits and
// closing. One call's life is in call.ts. Nacos rules live above (request-dispatcher.ts, bi-stream.ts).
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { Logger } from "../log.ts";
import { Call, GRPC_CONTENT_TYPE, respondHttpError, respondTrailersOnly, type ConnectionBudget } from "./call.ts";
import { ACCEPT_ENCODING, isSupportedEncoding } from "./compression.ts";
import { parseGrpcTimeout } from "./deadline.ts";
import { HandshakeDeadline } from "./handshake-deadline.ts";
import type { Method, SessionInfo } from "./method.ts";
import { GrpcError, GrpcStatus, type GrpcStatusCode } from "./status.ts";

export interface Http2ServerOptions {
  host: string;
  port: number;
  /** Largest message accepted (after decompression); larger ones end the call with RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** Connections beyond this get RESOURCE_EXHAUSTED on every call and are closed. */
  maxConnections: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS announced to each client. */
  maxConcurrentStreams: number;
  /** Per connection: bytes of unfinished incoming messages plus bytes queued for sending. */
  maxConnectionBufferBytes: number;
  /** A connection not established (SessionInfo.establish) within this is closed; 0 turns it off. */
  handshakeTimeoutMs: number;
  log: Logger;
  now: () => number;
}

/** A refusal for new connections (e.g. while draining): the status every call on them gets. */
export interface Refusal {
  code: GrpcStatusCode;
  message: string;
}

const SESSION_CLOSE_GRACE_MS = 1000;

interface SessionState extends ConnectionBudget {
  session: ServerHttp2Session;
  refusal: Refusal | undefined;
}

export class GrpcHttp2Server {
  private readonly methods = new Map<string, Method>();
  private readonly sessions = new Map<ServerHttp2Session, SessionState>();
  private readonly server: http2.Http2Server;
  private refuseNew: Refusal | undefined;
  private accepted = 0;
  private boundPort = 0;
  private listening = false;

  constructor(private readonly options: Http2ServerOptions) {
    this.server = http2.createServer({
      settings: { maxConcurrentStreams: options.maxConcurrentStreams },
      // Keep HTTP/2's own limits out of the way of gRPC's message limit (messages span many frames).
      maxSessionMemory: Math.max(10, Math.ceil((options.maxConnectionBufferBytes * 2) / (1024 * 1024))),
      // Our response headers are fixed and single-valued: skip node:http2's per-response check of that.
      strictSingleValueFields: false,
    } as http2.ServerOptions);
    this.server.on("session", (session) => this.onSession(session));
    this.server.on("stream", (stream, headers) => this.onStream(stream as ServerHttp2Stream, headers));
    this.server.on("sessionError", (err) => options.log.debug("http2 session error", { error: err }));
  }

  addMethod(path: string, method: Method): void {
    if (!/^\/[^/]+\/[^/]+$/.test(path)) throw new Error(`gRPC method path must look like /package.Service/Method, got "${path}"`);
    if (this.methods.has(path)) throw new Error(`gRPC method ${path} is already registered`);
    this.methods.set(path, method);
  }

  get port(): number {
    return this.boundPort;
  }

  /** Open HTTP/2 connections that were accepted (refused ones are not counted). */
  get connectionCount(): number {
    return this.accepted;
  }

  /** From now on new connections get this status on every call (undefined to accept them again). */
  refuseNewConnections(refusal: Refusal | undefined): void {
    this.refuseNew = refusal;
  }

  listen(): Promise<number> {
    const { host, port, log } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server.off("listening", onListening);
        const why =
          err.code === "EADDRINUSE"
            ? `gRPC port ${host}:${port} is already in use`
            : err.code === "EACCES"
              ? `no permission to listen on gRPC port ${host}:${port}`
              : `cannot listen on gRPC port ${host}:${port}: ${err.message}`;
        reject(Object.assign(new Error(why), { code: err.code, cause: err }));
      };
      const onListening = () => {
        this.server.off("error", onError);
        this.listening = true;
        const address = this.server.address();
        this.boundPort = typeof address === "object" && address ? address.port : port;
        this.server.on("error", (e) => log.error("gRPC server error", { error: e }));
        resolve(this.boundPort);
      };
      this.server.once("error", onError);
      this.server.once("listening", onListening);
      this.server.listen(port, host);
    });
  }

  /** GOAWAY to every connection, waits up to graceMs for them to end, then destroys what is left. */
  async closeSessions(graceMs: number): Promise<void> {
    const all = [...this.sessions.values()];
    await Promise.all(all.map((s) => closeAndWait(s, graceMs)));
  }

  /** Stops listening and destroys every connection now. */
  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.session.destroy();
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // --- connections ---------------------------------------------------------------------------

  private onSession(session: ServerHttp2Session): void {
    const socket = session.socket;
    const remoteAddress = normalizeIp(socket?.remoteAddress ?? "unknown");
    const remotePort = socket?.remotePort ?? 0;
    const createdAt = this.options.now();
    const closeListeners: (() => void)[] = [];
    let closed = false;
    let established = false;
    let handshake: HandshakeDeadline | undefined;
    const info: SessionInfo = {
      id: `${createdAt}_${remoteAddress}_${remotePort}`,
      remoteAddress,
      remotePort,
      localPort: socket?.localPort ?? this.boundPort,
      createdAt,
      get closed() {
        return closed;
      },
      get established() {
        return established;
      },
      establish: () => {
        established = true;
        handshake?.cancel();
      },
      close: (graceMs = SESSION_CLOSE_GRACE_MS) => void closeAndWait(state, graceMs),
      onClose: (listener) => {
        if (closed) queueMicrotask(listener);
        else closeListeners.push(listener);
      },
    };
    let refusal = this.refuseNew;
    if (!refusal && this.connectionCount >= this.options.maxConnections) {
      refusal = { code: GrpcStatus.RESOURCE_EXHAUSTED, message: `too many connections: this server accepts at most ${this.options.maxConnections}` };
    }
    const state: SessionState = { info, session, refusal, bufferedIn: 0, queuedOut: 0, handling: 0, onHandled: () => handshake?.callsDone() };
    this.sessions.set(session, state);
    if (!refusal) {
      this.accepted++;
      const { handshakeTimeoutMs, log } = this.options;
      handshake = new HandshakeDeadline(handshakeTimeoutMs, () => state.handling > 0, () => {
        log.info("closing gRPC connection that did not set up in time", { remote: `${remoteAddress}:${remotePort}`, handshakeTimeoutMs });
        void closeAndWait(state, SESSION_CLOSE_GRACE_MS);
      });
    }
    if (refusal) {
      this.options.log.warn("refusing gRPC connection", { remote: `${remoteAddress}:${remotePort}`, reason: refusal.message });
      // Answer the calls already on their way, then go away; never keep a refused connection for long.
      const timer = setTimeout(() => session.destroy(), SESSION_CLOSE_GRACE_MS);
      timer.unref?.();
    }
    const onGone = () => {
      if (closed) return;
      closed = true;
      handshake?.cancel();
      this.sessions.delete(session);
      if (!refusal) this.accepted--;
      for (const listener of closeListeners.splice(0)) {
        try {
          listener();
        } catch (err) {
          this.options.log.error("session close listener failed", { error: err });
        }
      }
    };
    session.on("close", onGone);
    session.on("error", (err) => this.options.log.debug("gRPC connection error", { connection: info.id, error: err }));
    socket?.on?.("close", onGone);
  }

  // --- calls ---------------------------------------------------------------------------------

  /** One listener for every stream (a listener per stream was a closure per call). */
  private readonly onStreamError = (err: Error) => this.options.log.debug("gRPC stream error", { error: err });

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on("error", this.onStreamError);
    const state = this.sessions.get(stream.session as ServerHttp2Session);
    if (!state) {
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    if (state.refusal) {
      respondTrailersOnly(stream, state.refusal.code, state.refusal.message);
      state.session.close();
      return;
    }
    if (headers[":method"] !== "POST") {
      respondHttpError(stream, 405, `gRPC requires POST, got ${String(headers[":method"])}`, { allow: "POST" });
      return;
    }
    const contentType = String(headers["content-type"] ?? "");
    if (contentType !== GRPC_CONTENT_TYPE && !contentType.startsWith(GRPC_CONTENT_TYPE) || (contentType.length > GRPC_CONTENT_TYPE.length && !/^[+;]/.test(contentType[GRPC_CONTENT_TYPE.length]!))) {
      respondHttpError(stream, 415, `invalid gRPC request content-type "${contentType}"`);
      return;
    }
    const path = String(headers[":path"] ?? "");
    const method = this.methods.get(path);
    if (!method) {
      respondTrailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
      return;
    }
    const encoding = headers["grpc-encoding"] === undefined ? undefined : String(headers["grpc-encoding"]);
    if (!isSupportedEncoding(encoding)) {
      respondTrailersOnly(stream, GrpcStatus.UNIMPLEMENTED, `unsupported grpc-encoding "${encoding}" (supported: ${ACCEPT_ENCODING})`, {
        "grpc-accept-encoding": ACCEPT_ENCODING,
      });
      return;
    }
    let timeoutMs: number | undefined;
    try {
      timeoutMs = parseGrpcTimeout(headers["grpc-timeout"] === undefined ? undefined : String(headers["grpc-timeout"]));
    } catch (err) {
      respondTrailersOnly(stream, (err as GrpcError).code, (err as GrpcError).message);
      return;
    }
    const call = new Call(stream, state, path, headers, encoding, timeoutMs, this.options);
    if (method.kind === "unary") call.runUnary(method);
    else call.runBidi(method);
  }
}

function closeAndWait(state: SessionState, graceMs: number): Promise<void> {
  const session = state.session;
  if (state.info.closed || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      session.destroy();
      resolve();
    }, graceMs);
    timer.unref?.();
    state.info.onClose(() => {
      clearTimeout(timer);
      resolve();
    });
    try {
      session.close();
    } catch {
      session.destroy();
    }
  });
}

/** "::ffff:10.0.0.1" → "10.0.0.1", as Java's getHostAddress() reports IPv4 peers. */
export function normalizeIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
