// gRPC pieces the bench suites share: a request body file for h2load, one decoded call to prove the
// answers are successes, and the node:http2 echo baseline process.
import type { Subprocess } from "bun";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { call, connect, grpcHeaders, nacosFrame, payloadsOf } from "../../test/integration/grpc/support/raw-http2.ts";
import { freePort, tempDir, waitFor } from "../../test/helpers/server.ts";
import type { JsonObject } from "../../src/grpc/payload.ts";
import { BENCH_DIR } from "./processes.ts";

export const REQUEST_PATH = "/Request/request";
/** What a gRPC client sends with every call; h2load gets them with -H. */
export const GRPC_H2LOAD_HEADERS = ["content-type: application/grpc", "te: trailers"];

/** Writes one gRPC-framed Nacos Payload to a file (h2load -d sends it as every request's body). */
export function requestBodyFile(type: string, body: JsonObject): string {
  const file = join(tempDir("rnacos-bench-grpc-"), `${type}.bin`);
  writeFileSync(file, nacosFrame(type, body));
  return file;
}

/** Makes one call the way h2load will and returns the decoded answer; throws unless it is a Nacos success. */
export async function expectSuccess(port: number, type: string, body: JsonObject): Promise<{ type: string; body: JsonObject }> {
  const session = await connect(port);
  try {
    const r = await call(session, grpcHeaders(REQUEST_PATH), [nacosFrame(type, body)]);
    if (r.grpcStatus !== 0) throw new Error(`${type} on port ${port}: grpc-status ${r.grpcStatus} ${r.grpcMessage ?? ""}`);
    const [answer] = payloadsOf(r.data);
    if (!answer || answer.body.resultCode !== 200) throw new Error(`${type} on port ${port} was not a success: ${JSON.stringify(answer)}`);
    return answer;
  } finally {
    session.destroy();
  }
}

export interface GrpcBaseline {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Starts bench/baselines/grpc-echo.ts on a free port and waits for its "listening" line. */
export async function startGrpcEcho(): Promise<GrpcBaseline> {
  const port = await freePort();
  const proc: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn([process.execPath, join(BENCH_DIR, "baselines", "grpc-echo.ts")], {
    env: { ...process.env, PORT: String(port) },
    stdout: "pipe",
    stderr: "inherit",
  });
  let out = "";
  void (async () => {
    for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
  })();
  await waitFor("grpc echo baseline", () => (out.includes("listening") ? true : undefined));
  return {
    pid: proc.pid,
    port,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
