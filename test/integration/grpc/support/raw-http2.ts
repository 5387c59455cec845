// A bare HTTP/2 client for checking the gRPC server byte by byte: frames split or merged at will,
// headers a real gRPC client would never send, trailers-only answers, PING.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { encodeFrame } from "../../../../src/grpc/framing.ts";
import { decodePayload, encodePayload, makePayload, parseBody, readPayload, type JsonObject } from "../../../../src/grpc/payload.ts";

export interface RawResponse {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders | undefined;
  data: Buffer;
  /** grpc-status from trailers, or from headers for a trailers-only answer. */
  grpcStatus: number | undefined;
  grpcMessage: string | undefined;
}

export function connect(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.once("connect", () => resolve(session));
    session.once("error", reject);
  });
}

export function nacosFrame(type: string, body: JsonObject, headers: Record<string, string> = {}): Uint8Array {
  return encodeFrame(encodePayload(makePayload(type, { headers: {}, ...body }, headers, "127.0.0.1")));
}

export const grpcHeaders = (path: string, extra: Record<string, string> = {}) => ({
  ":method": "POST",
  ":path": path,
  "content-type": "application/grpc",
  te: "trailers",
  ...extra,
});

/** Opens a stream, writes each chunk separately (yielding between them), and collects the answer. */
export function call(session: ClientHttp2Session, headers: Record<string, string>, chunks: Uint8Array[], opts: { end?: boolean; gapMs?: number } = {}): Promise<RawResponse> {
  const stream = session.request(headers, { endStream: false });
  const answer = collect(stream);
  void (async () => {
    for (const chunk of chunks) {
      if (stream.destroyed) return;
      stream.write(chunk);
      await new Promise((r) => setTimeout(r, opts.gapMs ?? 0));
    }
    if (opts.end !== false && !stream.destroyed) stream.end();
  })();
  return answer;
}

export function collect(stream: ClientHttp2Stream): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    const data: Buffer[] = [];
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (d: Buffer) => data.push(d));
    stream.on("error", reject);
    stream.on("close", () => {
      const source = trailers ?? headers;
      const status = source["grpc-status"];
      resolve({
        headers,
        trailers,
        data: Buffer.concat(data),
        grpcStatus: status === undefined ? undefined : Number(status),
        grpcMessage: source["grpc-message"] === undefined ? undefined : String(source["grpc-message"]),
      });
    });
  });
}

/** Decodes the Nacos payloads in a response body. */
export function payloadsOf(data: Buffer): { type: string; body: JsonObject }[] {
  const out: { type: string; body: JsonObject }[] = [];
  let at = 0;
  while (at + 5 <= data.length) {
    const len = data.readUInt32BE(at + 1);
    const bytes = data.subarray(at + 5, at + 5 + len);
    at += 5 + len;
    const p = readPayload(decodePayload(bytes));
    out.push({ type: p.type, body: parseBody(p.body) });
  }
  return out;
}
