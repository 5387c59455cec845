// A Nacos gRPC client in its own process, so a test can kill it abruptly (SIGKILL: no RST_STREAM, no
// GOAWAY, just a dead socket). Prints "CONNECTED <connectionId>" once registered.
import { NacosGrpcClient } from "../../../helpers/grpc-client.ts";

const client = new NacosGrpcClient(process.argv[2]!, { clientVersion: "killable-client" });
await client.connect();
process.stdout.write(`CONNECTED ${client.connectionId}\n`);
setInterval(() => {}, 1 << 30);
