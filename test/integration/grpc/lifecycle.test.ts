// Connection lifetime: idle detection, abrupt disconnects, graceful drain with ConnectResetRequest,
// stop, and the connection limit. Each describe runs its own server process with the options it needs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { join } from "node:path";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { startGrpcTestServer, type GrpcTestServer } from "./support/test-server-process.ts";

describe("idle detection", () => {
  let server: GrpcTestServer;
  beforeAll(async () => {
    server = await startGrpcTestServer({ detectionTimeoutMs: 300, detectionProbeTimeoutMs: 200 });
  });
  afterAll(() => server?.kill());

  test("a silent connection that answers ClientDetectionRequest stays; one that does not is unregistered and closed", async () => {
    const answering = await new NacosGrpcClient(server.address).connect();
    const mute = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      const started = Date.now();
      const gone = await server.waitForEvent((e) => e.event === "disconnected" && e.id === mute.connectionId, 5000);
      const took = Date.now() - started;
      expect(gone.reason).toContain("no answer to ClientDetectionRequest");
      expect(took).toBeGreaterThanOrEqual(400); // idle 300 ms + probe 200 ms (minus the connect time already idle)
      expect(took).toBeLessThan(3000);
      expect(mute.serverRequests.some((r) => r.type === "ClientDetectionRequest")).toBe(true);
      // the server ended the dropped client's bi-stream
      expect((await mute.waitForStreamEnd()).code).toBe(grpc.status.OK);

      const probe = await answering.waitForServerRequest((r) => r.type === "ClientDetectionRequest", 3000);
      expect(probe.body).toMatchObject({ module: "internal", headers: {} });
      expect(server.events.some((e) => e.event === "disconnected" && e.id === answering.connectionId)).toBe(false);
      expect((await answering.request("HealthCheckRequest")).body.success).toBe(true);
    } finally {
      answering.close();
      mute.close();
    }
  });

  test("a dropped client that comes back gets 301 until it sets up again", async () => {
    const mute = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      await server.waitForEvent((e) => e.event === "disconnected" && e.id === mute.connectionId, 5000);
      const r = await mute.request("HealthCheckRequest");
      expect(r.body).toMatchObject({ errorCode: 301, message: "Connection is unregistered." });
    } finally {
      mute.close();
    }
  });
});

describe("disconnects", () => {
  let server: GrpcTestServer;
  beforeAll(async () => {
    server = await startGrpcTestServer();
  });
  afterAll(() => server?.kill());

  test("a client process killed with SIGKILL fires disconnected", async () => {
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
      await server.waitForEvent((e) => e.event === "connected" && e.id === id);
      const killedAt = Date.now();
      child.kill("SIGKILL");
      await child.exited;
      const e = await server.waitForEvent((x) => x.event === "disconnected" && x.id === id, 5000);
      expect(Date.now() - killedAt).toBeLessThan(2000);
      expect(e.reason).toBeDefined();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  test("a client closing its channel fires disconnected once", async () => {
    const c = await new NacosGrpcClient(server.address).connect();
    c.close();
    await server.waitForEvent((e) => e.event === "disconnected" && e.id === c.connectionId);
    await Bun.sleep(50);
    expect(server.events.filter((e) => e.event === "disconnected" && e.id === c.connectionId).length).toBe(1);
  });
});

describe("drain and stop", () => {
  test("drain sends ConnectResetRequest to every connection, unregisters them and stops listening", async () => {
    const server = await startGrpcTestServer({ drainTimeoutMs: 500 });
    const clients = await Promise.all([0, 1, 2].map(() => new NacosGrpcClient(server.address).connect()));
    const silent = await new NacosGrpcClient(server.address, { onServerRequest: () => "ignore" }).connect();
    try {
      const started = Date.now();
      await server.command("drain", "DRAINED", 5000);
      expect(Date.now() - started).toBeLessThan(2500);
      for (const c of [...clients, silent]) {
        const reset = c.serverRequests.find((r) => r.type === "ConnectResetRequest");
        expect(reset?.body).toMatchObject({ module: "internal" });
        await server.waitForEvent((e) => e.event === "disconnected" && e.id === c.connectionId);
      }
      // no longer listening
      const late = new NacosGrpcClient(server.address);
      const err = await late.serverCheck(1000).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
      late.close();
    } finally {
      for (const c of [...clients, silent]) c.close();
      await server.kill();
    }
  });

  test("stop closes everything and fires disconnected", async () => {
    const server = await startGrpcTestServer();
    const c = await new NacosGrpcClient(server.address).connect();
    try {
      await server.command("stop", "STOPPED", 5000);
      const e = await server.waitForEvent((x) => x.event === "disconnected" && x.id === c.connectionId);
      expect(e.reason).toBe("server stopped");
    } finally {
      c.close();
      await server.kill();
    }
  });
});

describe("connection limit", () => {
  test("connections beyond maxConnections get RESOURCE_EXHAUSTED; a freed slot is reusable", async () => {
    const server = await startGrpcTestServer({ maxConnections: 3 });
    const clients = await Promise.all([0, 1, 2].map(() => new NacosGrpcClient(server.address).connect()));
    const extra = new NacosGrpcClient(server.address);
    try {
      const err = await extra.serverCheck(2000).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect((err as grpc.ServiceError).details).toContain("too many connections: this server accepts at most 3");
      extra.close();
      clients[0]!.close();
      await server.waitForEvent((e) => e.event === "disconnected" && e.id === clients[0]!.connectionId);
      const again = new NacosGrpcClient(server.address);
      const deadline = Date.now() + 5000;
      // the server counts the old HTTP/2 connection until its socket is gone; retry briefly
      for (;;) {
        const r = await again.serverCheck(1000).catch((e: grpc.ServiceError) => e);
        if (!(r instanceof Error)) break;
        if (Date.now() > deadline) throw r;
        again.close();
        await Bun.sleep(20);
      }
      again.close();
      expect((await clients[1]!.request("HealthCheckRequest")).body.success).toBe(true);
    } finally {
      for (const c of clients) c.close();
      extra.close();
      await server.kill();
    }
  });
});
