// The contract between the gRPC server and the methods it serves: message codecs, what a call knows
// about itself and its connection, and the two method shapes (unary, bidi stream) working on decoded
// messages. Nacos's Request/BiRequestStream and the cluster channel are both written against this.
import { encodeFrame } from "./framing.ts";
import type { GrpcStatusCode } from "./status.ts";

/** Turns message bytes into a value and back (protobuf-ts MessageType fits through `codecOf`). */
export interface MessageCodec<T> {
  decode(bytes: Uint8Array): T;
  /** decode(bytes.subarray(start, end)) without the view (in JSC a view of a small fresh array copies it). */
  decodeRange?(bytes: Uint8Array, start: number, end: number): T;
  encode(message: T): Uint8Array;
  /** The message as a whole gRPC frame (header included), when the codec can write it without a copy. */
  encodeFrame?(message: T): Uint8Array;
}

/** A message as one uncompressed gRPC frame. */
export function frameOf<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  return codec.encodeFrame ? codec.encodeFrame(message) : encodeFrame(codec.encode(message));
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
  /** True once the connection identified itself (Nacos ConnectionSetupRequest, a cluster peer's call). */
  readonly established: boolean;
  /** Marks the connection as identified: the handshake deadline no longer applies to it. */
  establish(): void;
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
