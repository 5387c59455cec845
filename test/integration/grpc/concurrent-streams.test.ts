// SETTINGS_MAX_CONCURRENT_STREAMS against a client that ignores it, written frame by frame (node:http2
// and grpc-js would queue the extra streams themselves). Bun's HTTP/2 server enforces the limit: streams
// beyond it get RST_STREAM REFUSED_STREAM and the connection carries on; the bridge relies on that.
import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { Flag, frame, FrameType, headerBlock, RawH2Connection, REFUSED_STREAM, SETTINGS_MAX_CONCURRENT_STREAMS } from "./support/raw-frames.ts";
import { startRealServer, type RealServer } from "./support/real-server.ts";

setDefaultTimeout(30_000);

const LIMIT = 1000; // the bridge's default, announced in SETTINGS
let server: RealServer;

beforeAll(async () => {
  // The handshake window is off so that it cannot close this never-registered connection mid-test.
  server = await startRealServer({ RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND: "0", RNACOS_LOG: "warn" });
});
afterAll(() => server?.dispose());

const unaryHeaders = (port: number) =>
  headerBlock({ ":method": "POST", ":scheme": "http", ":path": "/Request/request", ":authority": `127.0.0.1:${port}`, "content-type": "application/grpc", te: "trailers" });

const refusedOn = (c: RawH2Connection, id: number) => c.frames.some((f) => f.type === FrameType.RST_STREAM && f.streamId === id && f.payload.readUInt32BE(0) === REFUSED_STREAM);

test(`streams beyond the announced ${LIMIT} are refused with RST_STREAM REFUSED_STREAM; a freed slot is usable again`, async () => {
  const c = await RawH2Connection.open(server.grpcPort);
  try {
    expect(c.serverSetting(SETTINGS_MAX_CONCURRENT_STREAMS)).toBe(LIMIT);
    const block = unaryHeaders(server.grpcPort);
    // LIMIT unary calls whose request never ends (they stay open), then 5 more at once
    const ids = Array.from({ length: LIMIT + 5 }, (_, i) => 2 * i + 1);
    c.send(...ids.map((id) => frame(FrameType.HEADERS, Flag.END_HEADERS, id, block)));
    const extra = ids.slice(LIMIT);
    for (const id of extra) await c.waitFor(`RST_STREAM on stream ${id}`, (f) => f.type === FrameType.RST_STREAM && f.streamId === id);
    expect(extra.every((id) => refusedOn(c, id))).toBe(true);
    expect(c.frames.filter((f) => f.type === FrameType.RST_STREAM).map((f) => f.streamId)).toEqual(extra);

    // finishing the first call frees one slot: it is answered, and a new stream is served
    c.send(frame(FrameType.DATA, Flag.END_STREAM, 1, nacosFrame("ServerCheckRequest", { requestId: "first" })));
    await c.waitFor("trailers on stream 1", (f) => f.type === FrameType.HEADERS && f.streamId === 1 && (f.flags & Flag.END_STREAM) !== 0);
    const next = ids[ids.length - 1]! + 2;
    c.send(frame(FrameType.HEADERS, Flag.END_HEADERS, next, block), frame(FrameType.DATA, Flag.END_STREAM, next, nacosFrame("ServerCheckRequest", { requestId: "after" })));
    await c.waitFor(`trailers on stream ${next}`, (f) => f.type === FrameType.HEADERS && f.streamId === next && (f.flags & Flag.END_STREAM) !== 0);
    expect(refusedOn(c, next)).toBe(false);
    const data = Buffer.concat(c.frames.filter((f) => f.type === FrameType.DATA && f.streamId === next).map((f) => f.payload));
    expect(payloadsOf(data)[0]!.body).toMatchObject({ requestId: "after", resultCode: 200 });

    // the connection was never torn down
    expect(c.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
    expect(c.closed).toBe(false);
  } finally {
    c.close();
  }
});
