// The baseline every gRPC figure is a ratio of: node:http2 in Bun answering /Request/request with one
// fixed, valid gRPC response (a pre-encoded ServerCheckResponse Payload, then grpc-status 0) after
// reading the whole request, and nothing else: no decoding, no dispatch.
import http2 from "node:http2";
import { encodeFrame } from "../../src/grpc/framing.ts";
import { encodePayload, makePayload } from "../../src/grpc/payload.ts";

const RESPONSE = encodeFrame(
  encodePayload(makePayload("ServerCheckResponse", { resultCode: 200, errorCode: 0, success: true, requestId: "", connectionId: "baseline", supportAbilityNegotiation: false })),
);

const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
server.on("stream", (stream: http2.ServerHttp2Stream, headers) => {
  if (headers[":path"] !== "/Request/request") {
    stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true });
    return;
  }
  stream.on("data", () => {});
  stream.on("end", () => {
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(RESPONSE);
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
