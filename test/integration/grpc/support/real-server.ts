// The real rnacos process (test/helpers/server.ts) seen from the gRPC side: its gRPC address, and its
// log lines as the observable record of connection events ("connection registered/unregistered").
import { dirname } from "node:path";
import { removeDir, startServer, waitFor, type ServerProcess } from "../../../helpers/server.ts";

export interface RealServer extends ServerProcess {
  /** 127.0.0.1:<gRPC port> */
  address: string;
  /** Log lines matching `pattern` so far. */
  logLines(pattern: RegExp): string[];
  /** The first log line matching `pattern`, waiting up to timeoutMs. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Kills the process and removes its data dir. */
  dispose(): Promise<void>;
}

export async function startRealServer(env: Record<string, string> = {}): Promise<RealServer> {
  const server = await startServer({ env: { RNACOS_LOG: "info", ...env } });
  const logLines = (pattern: RegExp) => server.output().split("\n").filter((l) => pattern.test(l));
  return Object.assign(server, {
    address: `127.0.0.1:${server.grpcPort}`,
    logLines,
    waitForLog: (pattern: RegExp, timeoutMs = 10_000) => waitFor(`log line ${pattern}`, () => logLines(pattern)[0], timeoutMs),
    async dispose() {
      await server.kill();
      removeDir(dirname(server.dataDir));
    },
  });
}

/** Escapes a connection id (or any text) for use inside a RegExp. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
