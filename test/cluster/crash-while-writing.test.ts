// One node SIGKILLed in the middle of a burst of writes: after restart nothing acknowledged is
// missing and nothing was applied twice (each publish of a new key leaves exactly one history row).
// Once with the default log size, once compacting every few dozen entries, so the kill also lands
// among log compactions (a log segment emptied, the state flushed durably first).
import { afterAll, expect, test } from "bun:test";
import { BackgroundWriter, historyCount, read } from "../helpers/config-writer.ts";
import { startServer, waitFor, type ServerProcess } from "../helpers/server.ts";

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
});

test.each([
  ["the default log size", {}],
  ["a log compacted every few dozen entries", { RNACOS_RAFT_SNAPSHOT_LOG_SIZE: "40" }],
])("SIGKILL during a write burst, %s: every acknowledged write is there once after restart", async (_name, env: Record<string, string>) => {
  await server?.kill();
  server = await startServer({ env });
  const url = server.url;
  const writer = new BackgroundWriter("burst", () => [url], 16);
  await waitFor("a burst under way", () => (writer.acked.length >= 300 ? true : undefined), 20_000);
  if (env.RNACOS_RAFT_SNAPSHOT_LOG_SIZE) {
    const metrics = (await (await fetch(`${url}/nacos/v1/raft/metrics`)).json()) as { first_log_index: number };
    expect(metrics.first_log_index).toBeGreaterThan(200); // compactions ran during the burst
  }
  await server.kill();
  const acked = await writer.stop();
  const attempted = writer.attempts;

  server = await startServer({ dataDir: server.dataDir, env });
  for (const a of acked) expect(await read(server.url, a.dataId)).toBe(a.content);
  // Writes in flight at the kill may or may not have been applied, but none may be applied twice.
  for (let i = 0; i < attempted; i++) {
    const dataId = `burst-${i}`;
    const present = (await read(server.url, dataId)) !== undefined;
    expect(await historyCount(server.url, dataId)).toBe(present ? 1 : 0);
  }
}, 90_000);
