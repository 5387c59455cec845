// A Nacos 2.x client reduced to what the connection benchmarks need, on node:http2 so that thousands fit
// in one process: ServerCheckRequest, the bi-stream with ConnectionSetupRequest, a HealthCheckRequest to
// prove the server registered it, and an answer to every server request on the bi-stream (pushes,
// ClientDetectionRequest) with a success response carrying its requestId.
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import { FrameDecoder } from "../../src/grpc/framing.ts";
import { decodePayload, parseBody, readPayload } from "../../src/grpc/payload.ts";
import { call, grpcHeaders, nacosFrame, payloadsOf } from "../../test/integration/grpc/support/raw-http2.ts";

export interface RawNacosClient {
  connectionId: string;
  session: ClientHttp2Session;
  biStream: ClientHttp2Stream;
  /** Server requests answered so far. */
  answered: number;
}

async function unary(session: ClientHttp2Session, type: string, body: Record<string, unknown>) {
  const r = await call(session, grpcHeaders("/Request/request"), [nacosFrame(type, body)]);
  const answer = payloadsOf(r.data)[0];
  if (r.grpcStatus !== 0 || !answer) throw new Error(`${type}: grpc-status ${r.grpcStatus} ${r.grpcMessage ?? ""}`);
  return answer;
}

export async function connectRawClient(port: number, appName: string): Promise<RawNacosClient> {
  const session = await new Promise<ClientHttp2Session>((resolve, reject) => {
    const s = http2.connect(`http://127.0.0.1:${port}`);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
  session.on("error", () => {});
  const check = await unary(session, "ServerCheckRequest", { requestId: "check" });
  const connectionId = String(check.body.connectionId);
  const biStream = session.request(grpcHeaders("/BiRequestStream/requestBiStream"));
  biStream.on("error", () => {});
  const client: RawNacosClient = { connectionId, session, biStream, answered: 0 };
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  biStream.on("data", (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const p = readPayload(decodePayload(frame.data));
      if (!p.type.endsWith("Request")) continue;
      const { requestId } = parseBody(p.body);
      biStream.write(nacosFrame(p.type.replace(/Request$/, "Response"), { requestId, resultCode: 200, errorCode: 0, success: true }));
      client.answered++;
    }
  });
  biStream.write(nacosFrame("ConnectionSetupRequest", { clientVersion: "rnacos-bench:raw", tenant: "", labels: { source: "sdk", module: "naming", AppName: appName }, module: "internal" }));
  // The setup has no reply; a successful health check is the proof that the server registered us.
  for (let attempt = 0; ; attempt++) {
    const health = await unary(session, "HealthCheckRequest", { requestId: "health" });
    if (health.body.resultCode === 200) break;
    if (attempt > 200) throw new Error(`connection ${connectionId} not registered: ${JSON.stringify(health.body)}`);
    await Bun.sleep(10);
  }
  return client;
}
