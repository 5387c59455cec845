// A small gRPC server on node:http2 (h2c): a table from method path to a unary or bidi-stream method
// working on decoded messages. It owns HTTP/2 concerns only: framing, status and trailers, deadlines,
// compression, size limits, connection limits and write backpressure. Nacos rules live in nacos-bridge.ts.
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { Logger } from "../log.ts";
import { ACCEPT_ENCODING, frameBytes, isSupportedEncoding } from "./compression.ts";
import { parseGrpcTimeout } from "./deadline.ts";
import { encodeFrame, FrameDecoder } from "./framing.ts";
import { encodeGrpcMessage, GrpcError, GrpcStatus, statusName, type GrpcStatusCode } from "./status.ts";

/** Turns message bytes into a value and back (protobuf-ts MessageType fits through `codecOf`). */
export interface MessageCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): Uint8Array;
}

export function codecOf<T extends object>(type: { fromBinary(bytes: Uint8Array): T; toBinary(message: T): Uint8Array }): MessageCodec<T> {
  return { decode: (bytes) => type.fromBinary(bytes), encode: (message) => type.toBinary(message) };
}

/** One HTTP/2 connection from a client. */
export interface SessionInfo {
  /** `{millis}_{remoteIp}_{remotePort}`, the form Nacos uses for connection ids. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly createdAt: number;
  readonly closed: boolean;
  /** Sends GOAWAY, lets open calls finish for `graceMs`, then destroys the connection. */
  close(graceMs?: number): void;
  /** Runs once when the connection is gone (either side closed it, or it broke). */
  onClose(listener: () => void): void;
}

export interface CallContext {
  readonly session: SessionInfo;
  readonly path: string;
  /** Request metadata: lower-case names, pseudo-headers left out, repeated values joined with ", ". */
  readonly metadata: Readonly<Record<string, string>>;
  /** Epoch ms by which the call must end (from grpc-timeout), if the client set one. */
  readonly deadline: number | undefined;
  /** Aborted when the deadline passes, the client cancels, or the connection closes. */
  readonly signal: AbortSignal;
}

export interface UnaryMethod<Req, Res> {
  readonly kind: "unary";
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
  /** Throw GrpcError to end the call with a status; anything else thrown ends it with INTERNAL. */
  handle(request: Req, call: CallContext): Promise<Res> | Res;
}

/** The server's half of a bidi stream. */
export interface ServerStream<Res> {
  readonly call: CallContext;
  readonly closed: boolean;
  /** Bytes waiting in this stream's send queue (not yet accepted by HTTP/2 flow control). */
  readonly queuedBytes: number;
  /**
   * Queues a message. Resolves once HTTP/2 has taken it (waiting for the peer's flow-control window when
   * needed); rejects with StreamClosedError, or BufferFullError when the connection's buffer budget is spent.
   */
  send(message: Res): Promise<void>;
  /** Ends the stream with a status once everything queued is written. */
  end(code?: GrpcStatusCode, message?: string): void;
}

export interface BidiListener<Req> {
  onMessage(message: Req): void;
  /** The client finished sending (the server may still send). */
  onHalfClose?(): void;
  /** The stream is over: ended by either side, reset, deadline, or connection closed. Runs once. */
  onClose?(reason: string): void;
}

export interface BidiMethod<Req, Res> {
  readonly kind: "bidi";
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
  open(stream: ServerStream<Res>): BidiListener<Req>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Method = UnaryMethod<any, any> | BidiMethod<any, any>;

export class StreamClosedError extends Error {
  constructor(message = "stream is closed") {
    super(message);
    this.name = "StreamClosedError";
  }
}

export class BufferFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BufferFullError";
  }
}

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
  log: Logger;
  now: () => number;
}

/** A refusal for new connections (e.g. while draining): the status every call on them gets. */
export interface Refusal {
  code: GrpcStatusCode;
  message: string;
}

const GRPC_CONTENT_TYPE = "application/grpc";
const SESSION_CLOSE_GRACE_MS = 1000;

interface SessionState {
  info: SessionInfo;
  session: ServerHttp2Session;
  refusal: Refusal | undefined;
  /** Incoming bytes buffered in unfinished messages, across the session's streams. */
  bufferedIn: number;
  /** Outgoing bytes queued in ServerStream send queues. */
  queuedOut: number;
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
    });
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
    const info: SessionInfo = {
      id: `${createdAt}_${remoteAddress}_${remotePort}`,
      remoteAddress,
      remotePort,
      localPort: socket?.localPort ?? this.boundPort,
      createdAt,
      get closed() {
        return closed;
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
    const state: SessionState = { info, session, refusal, bufferedIn: 0, queuedOut: 0 };
    this.sessions.set(session, state);
    if (!refusal) this.accepted++;
    if (refusal) {
      this.options.log.warn("refusing gRPC connection", { remote: `${remoteAddress}:${remotePort}`, reason: refusal.message });
      // Answer the calls already on their way, then go away; never keep a refused connection for long.
      const timer = setTimeout(() => session.destroy(), SESSION_CLOSE_GRACE_MS);
      timer.unref?.();
    }
    const onGone = () => {
      if (closed) return;
      closed = true;
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

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on("error", (err) => this.options.log.debug("gRPC stream error", { error: err }));
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
    if (!contentType.startsWith(GRPC_CONTENT_TYPE) || (contentType.length > GRPC_CONTENT_TYPE.length && !/^[+;]/.test(contentType[GRPC_CONTENT_TYPE.length]!))) {
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
    const call = new Call(stream, state, path, metadataOf(headers), encoding, timeoutMs, this.options);
    if (method.kind === "unary") call.runUnary(method);
    else call.runBidi(method);
  }
}

/** One call's lifetime: reading, deadline, the single response status. */
class Call {
  private readonly abort = new AbortController();
  private readonly decoder: FrameDecoder;
  private finished = false;
  private headersSent = false;
  private trailers: Record<string, string> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private countedIn = 0;
  readonly context: CallContext;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly state: SessionState,
    path: string,
    metadata: Record<string, string>,
    private readonly encoding: string | undefined,
    timeoutMs: number | undefined,
    private readonly options: Http2ServerOptions,
  ) {
    this.decoder = new FrameDecoder(options.maxMessageBytes);
    const deadline = timeoutMs === undefined ? undefined : options.now() + timeoutMs;
    this.context = { session: state.info, path, metadata, deadline, signal: this.abort.signal };
    if (timeoutMs !== undefined) {
      this.deadlineTimer = setTimeout(() => this.fail(GrpcStatus.DEADLINE_EXCEEDED, "Deadline exceeded"), Math.max(0, timeoutMs));
    }
    stream.once("close", () => this.onStreamClosed());
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Decodes incoming chunks into messages, enforcing size and the connection's buffer budget. */
  private readMessages(chunk: Buffer, onMessage: (bytes: Uint8Array) => void): void {
    if (this.finished) return;
    let frames;
    try {
      frames = this.decoder.push(chunk);
      this.recountBuffered();
      if (this.state.bufferedIn > this.options.maxConnectionBufferBytes) {
        throw new GrpcError(
          GrpcStatus.RESOURCE_EXHAUSTED,
          `connection buffer limit reached (${this.state.bufferedIn} > ${this.options.maxConnectionBufferBytes} bytes of unfinished messages)`,
        );
      }
      for (const frame of frames) {
        if (this.finished) return;
        onMessage(frameBytes(frame, this.encoding, this.options.maxMessageBytes));
      }
    } catch (err) {
      this.failWith(err);
    }
  }

  private recountBuffered(): void {
    const now = this.decoder.bufferedBytes;
    this.state.bufferedIn += now - this.countedIn;
    this.countedIn = now;
  }

  runUnary(method: UnaryMethod<unknown, unknown>): void {
    let request: Uint8Array | undefined;
    let count = 0;
    this.stream.on("data", (chunk: Buffer) =>
      this.readMessages(chunk, (bytes) => {
        count++;
        if (count > 1) throw new GrpcError(GrpcStatus.INTERNAL, "unary method received more than one request message");
        request = bytes;
      }),
    );
    this.stream.on("end", () => {
      if (this.finished) return;
      if (this.decoder.midMessage) return this.fail(GrpcStatus.INTERNAL, "stream ended in the middle of a message");
      if (request === undefined) return this.fail(GrpcStatus.INTERNAL, "unary method received no request message");
      void this.invokeUnary(method, request);
    });
  }

  private async invokeUnary(method: UnaryMethod<unknown, unknown>, bytes: Uint8Array): Promise<void> {
    let decoded: unknown;
    try {
      decoded = method.request.decode(bytes);
    } catch (err) {
      return this.fail(GrpcStatus.INTERNAL, `could not parse request message: ${(err as Error).message}`);
    }
    try {
      const response = await method.handle(decoded, this.context);
      if (this.finished) return;
      const frame = encodeFrame(method.response.encode(response));
      this.finished = true;
      this.clearDeadline();
      this.sendHeaders();
      this.trailers = { "grpc-status": "0" };
      if (!this.stream.destroyed) this.stream.end(frame);
      this.stopReading();
    } catch (err) {
      this.failWith(err);
    }
  }

  runBidi(method: BidiMethod<unknown, unknown>): void {
    const out = new OutgoingQueue(this, method.response, this.options);
    this.sendHeaders();
    let listener: BidiListener<unknown>;
    try {
      listener = method.open(out);
    } catch (err) {
      this.failWith(err);
      return;
    }
    let closedReason: string | undefined;
    const closeOnce = (reason: string) => {
      if (closedReason !== undefined) return;
      closedReason = reason;
      out.markClosed();
      try {
        listener.onClose?.(reason);
      } catch (err) {
        this.options.log.error("bidi onClose failed", { error: err });
      }
    };
    this.onFinish = (reason) => closeOnce(reason);
    this.stream.on("data", (chunk: Buffer) =>
      this.readMessages(chunk, (bytes) => {
        let message: unknown;
        try {
          message = method.request.decode(bytes);
        } catch (err) {
          throw new GrpcError(GrpcStatus.INTERNAL, `could not parse request message: ${(err as Error).message}`);
        }
        listener.onMessage(message);
      }),
    );
    this.stream.on("end", () => {
      if (this.finished) return;
      if (this.decoder.midMessage) return this.fail(GrpcStatus.INTERNAL, "stream ended in the middle of a message");
      try {
        listener.onHalfClose?.();
      } catch (err) {
        this.failWith(err);
      }
    });
  }

  /** Set by runBidi: runs once when the call ends for any reason. */
  private onFinish: ((reason: string) => void) | undefined;

  sendHeaders(): void {
    if (this.headersSent || this.stream.destroyed) return;
    this.headersSent = true;
    this.stream.respond(
      { ":status": 200, "content-type": GRPC_CONTENT_TYPE, "grpc-accept-encoding": ACCEPT_ENCODING },
      { waitForTrailers: true },
    );
    this.stream.once("wantTrailers", () => {
      try {
        this.stream.sendTrailers(this.trailers ?? { "grpc-status": String(GrpcStatus.INTERNAL), "grpc-message": "stream ended without a status" });
      } catch (err) {
        this.options.log.debug("could not send trailers", { error: err });
      }
      resetIfStillReading(this.stream);
    });
  }

  /** Ends the call with a status now (after what was already written). */
  end(code: GrpcStatusCode, message: string | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.clearDeadline();
    if (!this.headersSent) {
      respondTrailersOnly(this.stream, code, message ?? "");
    } else {
      this.trailers = { "grpc-status": String(code) };
      if (message) this.trailers["grpc-message"] = encodeGrpcMessage(message);
      if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end();
    }
    this.stopReading();
    if (code !== GrpcStatus.OK) this.abort.abort(new GrpcError(code, message ?? statusName(code)));
    this.onFinish?.(code === GrpcStatus.OK ? "ended by server" : `${statusName(code)}: ${message ?? ""}`);
  }

  fail(code: GrpcStatusCode, message: string): void {
    this.end(code, message);
  }

  failWith(err: unknown): void {
    if (err instanceof GrpcError) return this.fail(err.code, err.message);
    this.options.log.error("gRPC method failed", { path: this.context.path, error: err });
    this.fail(GrpcStatus.INTERNAL, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** After the status went out: stop buffering input and release the budget it held. */
  private stopReading(): void {
    this.decoder.reset();
    this.state.bufferedIn -= this.countedIn;
    this.countedIn = 0;
    this.stream.removeAllListeners("data");
    // Keep reading (and dropping) so HTTP/2 flow control is not stuck on what the client still sends.
    this.stream.resume();
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private onStreamClosed(): void {
    this.state.bufferedIn -= this.countedIn;
    this.countedIn = 0;
    this.clearDeadline();
    if (!this.finished) {
      this.finished = true;
      this.abort.abort(new GrpcError(GrpcStatus.CANCELLED, "call cancelled by the client or connection closed"));
      this.onFinish?.("cancelled by client or connection closed");
    } else {
      // Already finished; make sure a bidi listener still hears about the close.
      this.onFinish?.("closed");
    }
  }
}

/** The send side of a bidi stream: ordered, bounded, waits for HTTP/2 flow control. */
class OutgoingQueue<Res> implements ServerStream<Res> {
  private readonly queue: { frame: Uint8Array; resolve: () => void; reject: (err: Error) => void }[] = [];
  private waitingForDrain = false;
  private closedFlag = false;
  private pendingEnd: { code: GrpcStatusCode; message: string | undefined } | undefined;
  private queued = 0;

  constructor(
    private readonly owner: Call,
    private readonly codec: MessageCodec<Res>,
    private readonly options: Http2ServerOptions,
  ) {}

  get call(): CallContext {
    return this.owner.context;
  }

  get closed(): boolean {
    return this.closedFlag || this.owner.isFinished || this.owner.stream.destroyed;
  }

  get queuedBytes(): number {
    return this.queued;
  }

  send(message: Res): Promise<void> {
    if (this.closed || this.pendingEnd) return Promise.reject(new StreamClosedError());
    const frame = encodeFrame(this.codec.encode(message));
    const state = this.owner.state;
    if (state.queuedOut + frame.length > this.options.maxConnectionBufferBytes && this.queue.length > 0) {
      return Promise.reject(
        new BufferFullError(`send buffer of connection ${state.info.id} is full (${state.queuedOut} bytes queued, limit ${this.options.maxConnectionBufferBytes})`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.queued += frame.length;
      state.queuedOut += frame.length;
      this.flush();
    });
  }

  end(code: GrpcStatusCode = GrpcStatus.OK, message?: string): void {
    if (this.closed || this.pendingEnd) return;
    this.pendingEnd = { code, message };
    this.flush();
  }

  markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const item of this.queue.splice(0)) {
      this.release(item.frame.length);
      item.reject(new StreamClosedError());
    }
  }

  private release(bytes: number): void {
    this.queued -= bytes;
    this.owner.state.queuedOut -= bytes;
  }

  private flush(): void {
    const stream = this.owner.stream;
    while (!this.waitingForDrain && this.queue.length > 0) {
      if (this.closed) return this.markClosed();
      const item = this.queue.shift()!;
      this.release(item.frame.length);
      let accepted: boolean;
      try {
        accepted = stream.write(item.frame);
      } catch (err) {
        item.reject(new StreamClosedError(`write failed: ${(err as Error).message}`));
        this.markClosed();
        return;
      }
      item.resolve();
      if (!accepted) {
        this.waitingForDrain = true;
        stream.once("drain", () => {
          this.waitingForDrain = false;
          this.flush();
        });
      }
    }
    if (this.queue.length === 0 && this.pendingEnd && !this.waitingForDrain) {
      const { code, message } = this.pendingEnd;
      this.owner.end(code, message);
    }
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

function respondTrailersOnly(stream: ServerHttp2Stream, code: GrpcStatusCode, message: string, extra: Record<string, string> = {}): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond(
    {
      ":status": 200,
      "content-type": GRPC_CONTENT_TYPE,
      "grpc-status": String(code),
      ...(message ? { "grpc-message": encodeGrpcMessage(message) } : {}),
      ...extra,
    },
    { endStream: true },
  );
  stream.resume();
  resetIfStillReading(stream);
}

/** Our status is out but the client is still sending: tell it to stop (RST_STREAM NO_ERROR, RFC 9113 8.1). */
function resetIfStillReading(stream: ServerHttp2Stream): void {
  if (stream.readableEnded) return;
  setImmediate(() => {
    if (!stream.destroyed && !stream.readableEnded) stream.close(http2.constants.NGHTTP2_NO_ERROR);
  });
}

function respondHttpError(stream: ServerHttp2Stream, status: number, message: string, extra: Record<string, string> = {}): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({
    ":status": status,
    "content-type": "text/plain; charset=utf-8",
    "grpc-status": String(GrpcStatus.INTERNAL),
    "grpc-message": encodeGrpcMessage(message),
    ...extra,
  });
  stream.end(message + "\n");
  stream.resume();
  resetIfStillReading(stream);
}

function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

/** "::ffff:10.0.0.1" → "10.0.0.1", as Java's getHostAddress() reports IPv4 peers. */
export function normalizeIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
