// Unary load from registered Nacos connections, which h2load cannot make: CONNECTIONS raw clients (set up
// as a real SDK does), STREAMS calls in flight on each, TOTAL calls of TYPE in all; every answer must be
// grpc-status 0 with resultCode 200. Prints "RESULT <req/s> <ok> <failed>".
//   bun bench/clients/unary-load-process.ts PORT TYPE CONNECTIONS STREAMS TOTAL
import { call, grpcHeaders, nacosFrame, payloadsOf } from "../../test/integration/grpc/support/raw-http2.ts";
import { connectRawClient } from "./raw-nacos-client.ts";

const [port, type, connections, streams, total] = [Number(process.argv[2]), process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6])];
const clients = await Promise.all(Array.from({ length: connections }, () => connectRawClient(port, "unary-load")));
const frame = nacosFrame(type, { requestId: "load" });
const headers = grpcHeaders("/Request/request");
let issued = 0;
let ok = 0;
let failed = 0;

async function loop(session: (typeof clients)[number]["session"]): Promise<void> {
  while (issued < total) {
    issued++;
    const r = await call(session, headers, [frame]);
    if (r.grpcStatus === 0 && payloadsOf(r.data)[0]?.body.resultCode === 200) ok++;
    else failed++;
  }
}

const started = performance.now();
await Promise.all(clients.flatMap((c) => Array.from({ length: streams }, () => loop(c.session))));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`RESULT ${(total / seconds).toFixed(1)} ${ok} ${failed}\n`);
for (const c of clients) c.session.destroy();
process.exit(0);
