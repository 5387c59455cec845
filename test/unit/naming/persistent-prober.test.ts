import { expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import { PersistentProber } from "../../../src/naming/probe/persistent-prober.ts";
import { tcpProbe, httpProbe, type ProbeTarget } from "../../../src/naming/probe/probes.ts";
import { NamingRegistry } from "../../../src/naming/registry/naming-registry.ts";
import { BEAT_OWNER, PERSISTENT_OWNER } from "../../../src/naming/registry/instance-owner.ts";
import { inst, SVC } from "./support/fixtures.ts";

test("a verdict must repeat before health changes; persistent instances only; NONE is not probed", async () => {
  const registry = new NamingRegistry();
  registry.upsert(SVC, inst("10.0.0.1", 1, { ephemeral: false }), PERSISTENT_OWNER, 0);
  registry.upsert(SVC, inst("10.0.0.2", 1), BEAT_OWNER, 0);
  let up = false;
  const probed: ProbeTarget[] = [];
  const reports: boolean[] = [];
  const prober = new PersistentProber(
    registry,
    async (t) => (probed.push(t), up),
    async (key, ip, port, healthy) => {
      reports.push(healthy);
      registry.setHealth(key, ip, port, healthy, 0);
    },
    { intervalMs: 1000, timeoutMs: 100, consecutive: 2, concurrency: 4 },
    silentLogger,
  );
  await prober.round();
  expect(reports).toEqual([]);
  await prober.round();
  expect(reports).toEqual([false]);
  await prober.round();
  expect(reports).toEqual([false]);
  up = true;
  await prober.round();
  await prober.round();
  expect(reports).toEqual([false, true]);
  expect(new Set(probed.map((p) => p.ip))).toEqual(new Set(["10.0.0.1"]));
  registry.define(SVC, { protectThreshold: 0, metadata: {}, selector: { type: "none" }, clusters: { DEFAULT: { healthChecker: { type: "NONE" }, checkPort: 80, useInstancePort4Check: true, metadata: {} } } }, 0);
  const count = probed.length;
  await prober.round();
  expect(probed.length).toBe(count);
});

test("a cluster's checkPort is probed when useInstancePort4Check is off", async () => {
  const registry = new NamingRegistry();
  registry.upsert(SVC, inst("10.0.0.1", 1, { ephemeral: false }), PERSISTENT_OWNER, 0);
  registry.define(SVC, { protectThreshold: 0, metadata: {}, selector: { type: "none" }, clusters: { DEFAULT: { healthChecker: { type: "TCP" }, checkPort: 9999, useInstancePort4Check: false, metadata: {} } } }, 0);
  const ports: number[] = [];
  const prober = new PersistentProber(registry, async (t) => (ports.push(t.port), true), async () => {}, { intervalMs: 1000, timeoutMs: 100, consecutive: 1, concurrency: 1 }, silentLogger);
  await prober.round();
  expect(ports).toEqual([9999]);
});

test("only the probing node (the Raft leader) probes", async () => {
  const registry = new NamingRegistry();
  registry.upsert(SVC, inst("10.0.0.9", 9999, { ephemeral: false }), PERSISTENT_OWNER, 0);
  let leader = false;
  const ports: number[] = [];
  const prober = new PersistentProber(registry, async (t) => (ports.push(t.port), true), async () => {}, { isProbingNode: () => leader, intervalMs: 1000, timeoutMs: 100, consecutive: 1, concurrency: 1 }, silentLogger);
  await prober.round();
  expect(ports).toEqual([]);
  leader = true;
  await prober.round();
  expect(ports).toEqual([9999]);
});

test("TCP and HTTP probes against real listeners", async () => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response("", { status: new URL(req.url).pathname === "/ok" ? 200 : 503 }) });
  try {
    expect(await tcpProbe("127.0.0.1", server.port!, 500)).toBe(true);
    expect(await httpProbe({ ip: "127.0.0.1", port: server.port!, checker: { type: "HTTP", path: "/ok" } }, 500)).toBe(true);
    expect(await httpProbe({ ip: "127.0.0.1", port: server.port!, checker: { type: "HTTP", path: "/bad" } }, 500)).toBe(false);
    expect(await httpProbe({ ip: "127.0.0.1", port: server.port!, checker: { type: "HTTP", path: "/bad", expectedResponseCode: 503 } }, 500)).toBe(true);
  } finally {
    server.stop(true);
  }
  const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = closed.port;
  closed.stop(true);
  expect(await tcpProbe("127.0.0.1", port, 500)).toBe(false);
});
