// One gRPC call on one HTTP/2 stream: length-prefixed messages in, the deadline, the single status out
// (trailers, or trailers-only when nothing was sent), and the connection's buffer budget.
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { Logger } from "../log.ts";
import { ACCEPT_ENCODING, frameBytes } from "./compression.ts";
import { FRAME_HEADER_BYTES, FrameDecoder, isWholeFrame } from "./framing.ts";
import { frameOf, type BidiListener, type BidiMethod, type CallContext, type SessionInfo, type UnaryMethod } from "./method.ts";
import { SendQueue } from "./send-queue.ts";
import { encodeGrpcMessage, GrpcError, GrpcStatus, statusName, type GrpcStatusCode } from "./status.ts";

export const GRPC_CONTENT_TYPE = "application/grpc";

/** What the calls of one connection share: bytes of unfinished input and of queued output. */
export interface ConnectionBudget {
  info: SessionInfo;
  /** Incoming bytes buffered in unfinished messages, across the connection's streams. */
  bufferedIn: number;
  /** Outgoing bytes queued in bidi send queues. */
  queuedOut: number;
  /** Unary calls whose request arrived and whose handler has not answered yet. */
  handling: number;
  /** Runs when `handling` drops back to 0. */
  onHandled(): void;
}

export interface CallLimits {
  maxMessageBytes: number;
  maxConnectionBufferBytes: number;
  log: Logger;
  now: () => number;
}

/** Response headers of a call that succeeds or streams (node:http2 copies the object it is given). */
const RESPONSE_HEADERS = { ":status": 200, "content-type": GRPC_CONTENT_TYPE };
const RESPONSE_HEADERS_COMPRESSING = { ...RESPONSE_HEADERS, "grpc-accept-encoding": ACCEPT_ENCODING };
// gRPC has no use for the date header node:http2 adds by default; formatting and encoding it costs.
const RESPONSE_OPTIONS = { waitForTrailers: true, sendDate: false };
const OK_TRAILERS: Readonly<Record<string, string>> = { "grpc-status": "0" };

/** One call's lifetime: reading, deadline, the single response status. It is its own CallContext. */
export class Call implements CallContext {
  // Created on first use of context.signal: most calls end without anyone listening.
  private abort: AbortController | undefined;
  private abortReason: GrpcError | undefined;
  /** Made on the first chunk that is not one whole message (most unary requests never need it). */
  private decoder: FrameDecoder | undefined;
  private finished = false;
  private headersSent = false;
  private watchingClose = false;
  private trailers: Readonly<Record<string, string>> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private countedIn = 0;
  private metadataCache: Record<string, string> | undefined;
  readonly session: SessionInfo;
  readonly deadline: number | undefined;

  constructor(
    readonly stream: ServerHttp2Stream,
    readonly state: ConnectionBudget,
    readonly path: string,
    private readonly headers: IncomingHttpHeaders,
    private readonly encoding: string | undefined,
    timeoutMs: number | undefined,
    private readonly options: CallLimits,
  ) {
    this.session = state.info;
    this.deadline = timeoutMs === undefined ? undefined : options.now() + timeoutMs;
    if (timeoutMs !== undefined) {
      this.deadlineTimer = setTimeout(() => this.fail(GrpcStatus.DEADLINE_EXCEEDED, "Deadline exceeded"), Math.max(0, timeoutMs));
      this.watchClose();
    }
  }

  get context(): CallContext {
    return this;
  }

  /** Request metadata, built on first read: the Nacos methods never read it (it was ~2.5% of a unary call). */
  get metadata(): Readonly<Record<string, string>> {
    return (this.metadataCache ??= metadataOf(this.headers));
  }

  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      this.watchClose();
      if (this.abortReason) this.abort.abort(this.abortReason);
      else if (this.stream.destroyed && !this.finished) this.onStreamClosed();
    }
    return this.abort.signal;
  }

  /**
   * Listens for the stream's close: needed by a deadline, a budget of buffered input, an abort signal
   * or a bidi listener. A plain unary call has none of these and skips the listener (a closed stream is
   * then noticed when the answer finds it destroyed).
   */
  private watchClose(): void {
    if (this.watchingClose) return;
    this.watchingClose = true;
    this.stream.on("close", () => this.onStreamClosed()); // fires once; `on` spares once()'s wrapper
  }

  private abortWith(reason: GrpcError): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.abort?.abort(reason);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Decodes incoming chunks into messages, enforcing size and the connection's buffer budget. */
  private readMessages(chunk: Buffer, onMessage: (bytes: Uint8Array) => void): void {
    if (this.finished) return;
    let frames;
    try {
      if (!this.decoder) {
        this.decoder = new FrameDecoder(this.options.maxMessageBytes);
        this.watchClose();
      }
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
    const now = this.decoder?.bufferedBytes ?? 0;
    this.state.bufferedIn += now - this.countedIn;
    this.countedIn = now;
  }

  runUnary(method: UnaryMethod<unknown, unknown>): void {
    // The request message is request[start, end): the usual unary request is one uncompressed message,
    // whole and alone in the first chunk, and is decoded from that chunk in place.
    let request: Uint8Array | undefined;
    let start = 0;
    let end = 0;
    let count = 0;
    const onMessage = (bytes: Uint8Array) => {
      count++;
      if (count > 1) throw new GrpcError(GrpcStatus.INTERNAL, "unary method received more than one request message");
      request = bytes;
      end = bytes.length;
    };
    this.stream.on("data", (chunk: Buffer) => {
      if (count === 0 && !this.finished && this.decoder === undefined && isWholeFrame(chunk, this.options.maxMessageBytes)) {
        count = 1;
        request = chunk;
        start = FRAME_HEADER_BYTES;
        end = chunk.length;
      } else this.readMessages(chunk, onMessage);
    });
    this.stream.on("end", () => {
      if (this.finished) return;
      if (this.decoder?.midMessage) return this.fail(GrpcStatus.INTERNAL, "stream ended in the middle of a message");
      if (request === undefined) return this.fail(GrpcStatus.INTERNAL, "unary method received no request message");
      this.invokeUnary(method, request, start, end);
    });
  }

  /** Runs the handler and answers; a handler that answers synchronously is answered without a promise. */
  private invokeUnary(method: UnaryMethod<unknown, unknown>, bytes: Uint8Array, start: number, end: number): void {
    let decoded: unknown;
    try {
      const codec = method.request;
      if (codec.decodeRange) decoded = codec.decodeRange(bytes, start, end);
      else decoded = codec.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
    } catch (err) {
      return this.fail(GrpcStatus.INTERNAL, `could not parse request message: ${(err as Error).message}`);
    }
    this.state.handling++;
    let result: unknown;
    try {
      result = method.handle(decoded, this);
    } catch (err) {
      this.failWith(err);
      return this.handled();
    }
    if (result instanceof Promise) {
      result
        .then(
          (response) => this.respond(method, response),
          (err) => this.failWith(err),
        )
        .finally(() => this.handled());
    } else {
      this.respond(method, result);
      this.handled();
    }
  }

  private respond(method: UnaryMethod<unknown, unknown>, response: unknown): void {
    if (this.finished) return;
    if (this.stream.destroyed) {
      // closed before the answer (nobody listened for the close: see watchClose)
      this.onStreamClosed();
      return;
    }
    let frame: Uint8Array;
    try {
      frame = frameOf(method.response, response);
    } catch (err) {
      return this.failWith(err);
    }
    this.finished = true;
    this.clearDeadline();
    try {
      this.sendHeaders();
      this.trailers = OK_TRAILERS;
      if (!this.stream.destroyed) this.stream.end(frame);
      this.stopReading();
    } catch (err) {
      this.options.log.debug("could not write the response", { path: this.path, error: err });
    }
  }

  private handled(): void {
    if (--this.state.handling === 0) this.state.onHandled();
  }

  runBidi(method: BidiMethod<unknown, unknown>): void {
    this.watchClose();
    const out = new SendQueue(this, method.response, this.options);
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
      if (this.decoder?.midMessage) return this.fail(GrpcStatus.INTERNAL, "stream ended in the middle of a message");
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
    // grpc-accept-encoding (optional in responses) only goes to a client that compresses: encoding the extra
    // header cost 3-7% of unary throughput under h2load, and a client sending identity has no use for it.
    const compressing = this.encoding !== undefined && this.encoding !== "identity";
    this.stream.respond(compressing ? RESPONSE_HEADERS_COMPRESSING : RESPONSE_HEADERS, RESPONSE_OPTIONS);
    this.stream.on("wantTrailers", () => {
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
      this.trailers = message ? { "grpc-status": String(code), "grpc-message": encodeGrpcMessage(message) } : { "grpc-status": String(code) };
      if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end();
    }
    this.stopReading();
    if (code !== GrpcStatus.OK) this.abortWith(new GrpcError(code, message ?? statusName(code)));
    this.onFinish?.(code === GrpcStatus.OK ? "ended by server" : `${statusName(code)}: ${message ?? ""}`);
  }

  fail(code: GrpcStatusCode, message: string): void {
    this.end(code, message);
  }

  failWith(err: unknown): void {
    if (err instanceof GrpcError) return this.fail(err.code, err.message);
    this.options.log.error("gRPC method failed", { path: this.path, error: err });
    this.fail(GrpcStatus.INTERNAL, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** After the status went out: stop buffering input and release the budget it held. */
  private stopReading(): void {
    this.decoder?.reset();
    this.state.bufferedIn -= this.countedIn;
    this.countedIn = 0;
    if (this.stream.readableEnded) return; // (a unary call answered after its request ended: nothing more will come)
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
      this.abortWith(new GrpcError(GrpcStatus.CANCELLED, "call cancelled by the client or connection closed"));
      this.onFinish?.("cancelled by client or connection closed");
    } else {
      // Already finished; make sure a bidi listener still hears about the close.
      this.onFinish?.("closed");
    }
  }
}

export function respondTrailersOnly(stream: ServerHttp2Stream, code: GrpcStatusCode, message: string, extra: Record<string, string> = {}): void {
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

export function respondHttpError(stream: ServerHttp2Stream, status: number, message: string, extra: Record<string, string> = {}): void {
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

/** Request metadata: lower-case names, pseudo-headers left out, repeated values joined with ", ". */
function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}
