// The baseline gRPC figures are a ratio of: node:http2 in Bun answering every unary gRPC call by echoing
// its message back with grpc-status 0 (no parsing, no dispatch) — what any gRPC server pays at least.
import http2, { type ServerHttp2Stream } from "node:http2";

const port = Number(process.env.PORT ?? 0);
const server = http2.createServer();
server.on("stream", (stream: ServerHttp2Stream) => {
  const chunks: Buffer[] = [];
  stream.on("data", (d: Buffer) => chunks.push(d));
  stream.on("end", () => {
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(Buffer.concat(chunks));
  });
  stream.on("error", () => {});
});
server.listen(port, "127.0.0.1", () => console.log(`listening ${port}`));
