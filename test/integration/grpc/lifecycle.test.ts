// Connection lifetime against the real rnacos process (connection events observed in its log):
// idle detection, abrupt disconnects, graceful drain on SIGTERM with ConnectResetRequest, and the
// connection limit. stop() is checked on the bridge-only test server.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { join } from "node:path";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { literal, startRealServer } from "./support/real-server.ts";
import { startGrpcTestServer } from "./support/test-server-process.ts";

// Tests here start processes and wait on the network; bun's default 5 s is too tight on a loaded machine.
setDefaultTimeout(20_000);

const unregistered = (id: string | undefined) => new RegExp(`connection unregistered connection=${literal(id ?? "?")}`);

describe("idle detection", () => {
  test(
    "a silent connection that answers ClientDetectionRequest stays; one that does not is dropped, and gets 301 when it comes back",
    async () => {
      const server = await startRealServer({ RNACOS_GRPC_DETECTION_TIMEOUT_SECOND: "1" });
      const answering = await new NacosGrpcClient(server.address).connect();
      const mute = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
      try {
        const started = Date.now();
        const line = await server.waitForLog(unregistered(mute.connectionId), 8000);
        const took = Date.now() - started;
        expect(line).toContain("no answer to ClientDetectionRequest");
        expect(took).toBeGreaterThanOrEqual(1500); // idle 1 s, then 1 s to answer
        expect(took).toBeLessThan(5000);
        expect(mute.serverRequests.some((r) => r.type === "ClientDetectionRequest")).toBe(true);
        expect((await mute.waitForStreamEnd()).code).toBe(grpc.status.OK); // the server ended its bi-stream

        const probe = await answering.waitForServerRequest((r) => r.type === "ClientDetectionRequest", 3000);
        expect(probe.body).toMatchObject({ module: "internal", headers: {} });
        expect(server.logLines(unregistered(answering.connectionId))).toEqual([]);
        expect((await answering.request("HealthCheckRequest")).body.success).toBe(true);

        // the dropped client's next request opens a new HTTP/2 connection that never set up
        const again = await mute.request("HealthCheckRequest");
        expect(again.body).toMatchObject({ errorCode: 301, message: "Connection is unregistered." });
      } finally {
        answering.close();
        mute.close();
        await server.dispose();
      }
    },
    20_000,
  );
});

describe("disconnects", () => {
  test("a client process killed with SIGKILL, and a client closing its channel, each unregister once", async () => {
    const server = await startRealServer();
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "support/client-process.ts"), server.address], { stdout: "pipe", stderr: "pipe" });
    try {
      let out = "";
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) {
        out += decoder.decode(chunk);
        if (out.includes("\n")) break;
      }
      const id = /CONNECTED (\S+)/.exec(out)?.[1];
      expect(id).toBeDefined();
      await server.waitForLog(new RegExp(`connection registered connection=${literal(id!)}`));
      const killedAt = Date.now();
      child.kill("SIGKILL");
      await child.exited;
      await server.waitForLog(unregistered(id), 5000);
      expect(Date.now() - killedAt).toBeLessThan(2000);

      const c = await new NacosGrpcClient(server.address).connect();
      c.close();
      await server.waitForLog(unregistered(c.connectionId));
      await Bun.sleep(50);
      expect(server.logLines(unregistered(c.connectionId)).length).toBe(1);
      expect(server.logLines(unregistered(id)).length).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await server.dispose();
    }
  });
});

describe("drain and stop", () => {
  test("SIGTERM: every connection gets ConnectResetRequest, is unregistered, and the process exits 0", async () => {
    const server = await startRealServer({ RNACOS_SHUTDOWN_TIMEOUT_SECOND: "1" });
    const clients = await Promise.all([0, 1, 2].map(() => new NacosGrpcClient(server.address).connect()));
    const silent = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      const started = Date.now();
      expect(await server.stop("SIGTERM", 10_000)).toBe(0);
      expect(Date.now() - started).toBeLessThan(6000);
      for (const c of [...clients, silent]) {
        expect(c.serverRequests.find((r) => r.type === "ConnectResetRequest")?.body).toMatchObject({ module: "internal" });
        expect(server.logLines(unregistered(c.connectionId))[0]).toContain("server shutting down");
      }
      expect(server.output()).toContain("gRPC server drained and stopped");
    } finally {
      for (const c of [...clients, silent]) c.close();
      await server.dispose();
    }
  });

  test("drain() on the bridge alone: resets, then stops listening; stop() fires disconnected", async () => {
    const server = await startGrpcTestServer({ drainTimeoutMs: 500 });
    const c = await new NacosGrpcClient(server.address).connect();
    try {
      await server.command("drain", "DRAINED", 5000);
      expect(c.serverRequests.some((r) => r.type === "ConnectResetRequest")).toBe(true);
      const e = await server.waitForEvent((x) => x.event === "disconnected" && x.id === c.connectionId);
      expect(e.reason).toBe("server shutting down");
      const late = new NacosGrpcClient(server.address);
      const err = await late.serverCheck(1000).catch((x: grpc.ServiceError) => x);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
      late.close();
    } finally {
      c.close();
      await server.kill();
    }
    const other = await startGrpcTestServer();
    const d = await new NacosGrpcClient(other.address).connect();
    try {
      await other.command("stop", "STOPPED", 5000);
      const e = await other.waitForEvent((x) => x.event === "disconnected" && x.id === d.connectionId);
      expect(e.reason).toBe("server stopped");
    } finally {
      d.close();
      await other.kill();
    }
  });
});

describe("start", () => {
  test("start() rejects with a clear message when the port is taken", async () => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const err = await startGrpcTestServer({ port: holder.port }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toContain(`START FAILED gRPC port 127.0.0.1:${holder.port} is already in use`);
    } finally {
      holder.stop(true);
    }
  });
});

describe("connection limit", () => {
  test("connections beyond RNACOS_GRPC_MAX_CONNECTIONS get RESOURCE_EXHAUSTED; a freed slot is reusable", async () => {
    const server = await startRealServer({ RNACOS_GRPC_MAX_CONNECTIONS: "3" });
    const clients = await Promise.all([0, 1, 2].map(() => new NacosGrpcClient(server.address).connect()));
    const extra = new NacosGrpcClient(server.address);
    try {
      const err = await extra.serverCheck(2000).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((err as grpc.ServiceError).details).toContain("too many connections: this server accepts at most 3");
      extra.close();
      clients[0]!.close();
      await server.waitForLog(unregistered(clients[0]!.connectionId));
      // the server counts the old HTTP/2 connection until its socket is gone; retry briefly
      const deadline = Date.now() + 5000;
      for (;;) {
        const again = new NacosGrpcClient(server.address);
        const r = await again.serverCheck(1000).catch((e: grpc.ServiceError) => e);
        again.close();
        if (!(r instanceof Error)) break;
        if (Date.now() > deadline) throw r;
        await Bun.sleep(20);
      }
      expect((await clients[1]!.request("HealthCheckRequest")).body.success).toBe(true);
    } finally {
      for (const c of clients) c.close();
      extra.close();
      await server.dispose();
    }
  });
});
