// Configs survive restarts (SIGTERM and SIGKILL), and a SIGTERM during a held long-poll answers that
// request ("no change") and lets the process exit 0 at once instead of waiting out the hold.
import { describe, expect, test } from "bun:test";
import { startServer } from "../../helpers/server.ts";
import { get, listening, longPoll, md5, publishV1, readV1 } from "./support.ts";

describe("data survives a restart", () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    test(`after ${signal}`, async () => {
      const first = await startServer();
      try {
        await publishV1(first, "durable.yaml", "kept: true", { type: "yaml", tenant: "dur" });
        await publishV1(first, "durable.yaml", "kept: twice", { type: "yaml", tenant: "dur" });
        await publishV1(first, "beta.txt", "formal");
        await publishV1(first, "beta.txt", "beta", {}, { betaIps: "10.7.7.7" });
        if (signal === "SIGTERM") expect(await first.stop("SIGTERM")).toBe(0);
        else await first.kill();
      } finally {
        await first.kill();
      }
      const second = await startServer({ dataDir: first.dataDir });
      try {
        const res = await readV1(second, "durable.yaml", { tenant: "dur" });
        expect(await res.text()).toBe("kept: twice");
        expect(res.headers.get("Config-Type")).toBe("yaml");
        expect(await (await readV1(second, "beta.txt", {}, { "X-Forwarded-For": "10.7.7.7" })).text()).toBe("beta");
        const history = (await (await get(second, "/nacos/v1/cs/history", { search: "accurate", dataId: "durable.yaml", group: "DEFAULT_GROUP", tenant: "dur" })).json()) as {
          totalCount: number;
        };
        expect(history.totalCount).toBe(2);
        // ids keep counting from where they were
        await publishV1(second, "after-restart", "x");
        const { id } = (await (await get(second, "/nacos/v1/cs/configs", { show: "all", dataId: "after-restart", group: "DEFAULT_GROUP" })).json()) as { id: string };
        expect(Number(id)).toBe(3);
      } finally {
        await second.kill();
      }
    });
  }
});

describe("drain", () => {
  test("SIGTERM during a held long-poll answers it with no change and exits 0 quickly", async () => {
    const server = await startServer({ env: { RNACOS_SHUTDOWN_TIMEOUT_SECOND: "10" } });
    try {
      await publishV1(server, "drain.txt", "v1");
      const poll = longPoll(server, listening([{ dataId: "drain.txt", md5: md5("v1") }]));
      const held = await Promise.race([poll.then(() => "answered"), Bun.sleep(300).then(() => "held")]);
      expect(held).toBe("held");
      const started = performance.now();
      server.proc.kill("SIGTERM");
      const res = await poll;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("");
      expect(await server.proc.exited).toBe(0);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(server.output()).toContain("stopped");
    } finally {
      await server.kill();
    }
  });
});
