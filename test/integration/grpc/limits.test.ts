// The per-connection memory bound: bytes of unfinished incoming messages are counted across all
// streams of one HTTP/2 connection; the stream that pushes the total over the limit is ended with
// RESOURCE_EXHAUSTED while the others carry on.
import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { call, collect, connect, grpcHeaders, nacosFrame, payloadsOf } from "./support/raw-http2.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

let server: GrpcTestServer;
beforeAll(async () => {
  server = await startGrpcTestServer({ maxMessageBytes: 64 * 1024, maxConnectionBufferBytes: 100_000 });
});
afterAll(() => server?.kill());

test("unfinished messages on one connection are bounded; other connections are not affected", async () => {
  const session = await connect(server.port);
  const other = await connect(server.port);
  try {
    const message = (id: string) => nacosFrame("ServerCheckRequest", { requestId: id, pad: "p".repeat(60_000) });
    const streams = ["a", "b", "c"].map((id) => {
      const s = session.request(grpcHeaders("/Request/request"));
      const frame = message(id);
      return { id, s, frame, answer: collect(s) };
    });
    // 45 KB of each 60 KB message: 135 KB buffered in total, over the 100 KB budget at the third stream
    for (const { s, frame } of streams) {
      s.write(frame.subarray(0, 45_000));
      await Bun.sleep(30);
    }
    const third = await streams[2]!.answer;
    expect(third.grpcStatus).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(third.grpcMessage).toContain("connection buffer limit reached");
    // the first two finish normally once their rest arrives
    for (const { s, frame } of streams.slice(0, 2)) s.end(frame.subarray(45_000));
    for (const { id, answer } of streams.slice(0, 2)) {
      const r = await answer;
      expect(r.grpcStatus).toBe(0);
      expect(payloadsOf(r.data)[0]!.body.requestId).toBe(id);
    }
    // a second connection has its own budget
    const r = await call(other, grpcHeaders("/Request/request"), [message("other")]);
    expect(r.grpcStatus).toBe(0);
  } finally {
    session.destroy();
    other.destroy();
  }
});
