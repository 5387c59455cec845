// A minimal gRPC client over node:http2 for the cluster channel: one HTTP/2 connection per peer
// address, reopened with backoff after it breaks; unary calls and client streams on it.
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import { encodeFrame, FrameDecoder } from "../../grpc/framing.ts";
import { decodeGrpcMessage, GrpcStatus } from "../../grpc/status.ts";

export const TOKEN_HEADER = "rnacos-cluster-token";
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class PeerCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PeerCallError";
  }
}

export class GrpcPeerClient {
  private session: ClientHttp2Session | undefined;
  private failures = 0;
  private retryAt = 0;
  private closed = false;

  constructor(
    readonly addr: string,
    private readonly token: string,
    /** Sent with every call (who is calling). */
    private readonly identity: Record<string, string> = {},
  ) {}

  /** The live connection, opening one if needed; throws while backing off after failures. */
  private connection(): ClientHttp2Session {
    if (this.closed) throw new PeerCallError(GrpcStatus.UNAVAILABLE, `client for ${this.addr} is closed`);
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    if (Date.now() < this.retryAt) throw new PeerCallError(GrpcStatus.UNAVAILABLE, `${this.addr} unreachable; retrying in ${this.retryAt - Date.now()} ms`);
    const session = http2.connect(`http://${this.addr}`);
    session.on("error", () => this.noteFailure(session));
    session.on("close", () => {
      if (this.session === session) this.session = undefined;
    });
    session.on("connect", () => {
      this.failures = 0;
      this.retryAt = 0;
    });
    session.unref();
    this.session = session;
    return session;
  }

  private noteFailure(session: ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
    this.failures++;
    this.retryAt = Date.now() + Math.min(50 * 2 ** Math.min(this.failures, 6), 2000);
    session.destroy();
  }

  /** Opens a call; the caller writes frames and reads responses. */
  open(path: string, timeoutMs?: number): ClientHttp2Stream {
    const headers: http2.OutgoingHttpHeaders = {
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    };
    Object.assign(headers, this.identity);
    if (this.token) headers[TOKEN_HEADER] = this.token;
    if (timeoutMs !== undefined) headers["grpc-timeout"] = `${Math.max(1, Math.ceil(timeoutMs))}m`;
    return this.connection().request(headers);
  }

  /** One request, one response; rejects with PeerCallError carrying the gRPC status. */
  unary(path: string, request: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = this.open(path, timeoutMs);
      } catch (err) {
        reject(err);
        return;
      }
      const responses = collectResponses(stream);
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new PeerCallError(GrpcStatus.DEADLINE_EXCEEDED, `${path} to ${this.addr} timed out after ${timeoutMs} ms`));
      }, timeoutMs + 100);
      responses.then(
        (messages) => {
          clearTimeout(timer);
          if (messages.length !== 1) reject(new PeerCallError(GrpcStatus.INTERNAL, `${path} answered ${messages.length} messages`));
          else resolve(messages[0]!);
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
      stream.end(encodeFrame(request));
    });
  }

  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }
}

/** Reads every response message of a call and its status; rejects on a non-OK status or a broken stream. */
export function collectResponses(stream: ClientHttp2Stream, onMessage?: (m: Uint8Array) => void): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
    const messages: Uint8Array[] = [];
    let status: number | undefined;
    let statusMessage = "";
    const readStatus = (headers: http2.IncomingHttpHeaders) => {
      const s = headers["grpc-status"];
      if (s !== undefined) {
        status = Number(s);
        statusMessage = decodeGrpcMessage(String(headers["grpc-message"] ?? ""));
      }
    };
    stream.on("response", readStatus);
    stream.on("trailers", readStatus);
    stream.on("data", (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (onMessage) onMessage(frame.data);
          else messages.push(frame.data);
        }
      } catch (err) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(err);
      }
    });
    stream.on("error", (err) => reject(new PeerCallError(GrpcStatus.UNAVAILABLE, err.message)));
    stream.on("close", () => {
      if (status === undefined) reject(new PeerCallError(GrpcStatus.UNAVAILABLE, `stream closed without a status (rst ${stream.rstCode})`));
      else if (status !== GrpcStatus.OK) reject(new PeerCallError(status, statusMessage || `gRPC status ${status}`));
      else resolve(messages);
    });
  });
}
