// Ephemeral HTTP instances live by heartbeats: unhealthy, then removed when beats stop (timing
// shortened through instance metadata), healed by a beat; self-preservation holds expiry when most
// instances fall silent at once, and a setting turns it off.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { namingApi, shortBeats } from "./support/naming-api.ts";

const META = shortBeats(500, 1500, 3000);

describe("heartbeat expiry", () => {
  let server: ServerProcess;
  let api: ReturnType<typeof namingApi>;
  beforeAll(async () => {
    server = await startServer();
    api = namingApi(server);
  });
  afterAll(() => server?.kill());

  test("beats keep an instance healthy; without them it turns unhealthy, a beat heals it, then it is removed", async () => {
    const svc = { serviceName: "hb-one" };
    await api.register({ ...svc, ip: "10.0.0.1", port: 80, metadata: META });
    const beat = await api.beat({ ...svc, ip: "10.0.0.1", port: 80 });
    expect(beat).toEqual({ code: 10200, clientBeatInterval: 500, lightBeatEnabled: true });
    // 1.6 s of beats every 400 ms: still healthy (its timeout is 1.5 s)
    const until = Date.now() + 1600;
    while (Date.now() < until) {
      await api.beat({ ...svc, ip: "10.0.0.1", port: 80 });
      await Bun.sleep(400);
    }
    expect((await api.list(svc)).hosts[0]!.healthy).toBe(true);
    await waitFor("unhealthy after 1.5 s without beats", async () => ((await api.list(svc)).hosts[0]?.healthy === false ? true : undefined), 5000);
    await api.beat({ ...svc, ip: "10.0.0.1", port: 80 });
    expect((await api.list(svc)).hosts[0]!.healthy).toBe(true);
    await waitFor("removed after 3 s without beats", async () => ((await api.list(svc)).hosts.length === 0 ? true : undefined), 8000);
    // the client would re-register on 20404
    expect((await api.beat({ ...svc, ip: "10.0.0.1", port: 80 })).code).toBe(20404);
  }, 20_000);

  test("a network cut (every instance silent at once) holds expiry and shows it in metrics; beats returning release it", async () => {
    const svc = { serviceName: "hb-many" };
    const ips = Array.from({ length: 6 }, (_, i) => `10.0.1.${i + 1}`);
    for (const ip of ips) await api.register({ ...svc, ip, port: 80, metadata: META });
    await waitFor("self-preservation", async () => {
      const m = await api.metrics();
      return m.selfPreservation.preservedServices.includes("public@@DEFAULT_GROUP@@hb-many") && m.selfPreservation.suppressedTotal > 0 ? true : undefined;
    }, 8000);
    expect(server.output()).toContain("self-preservation: too many instances");
    // four checks that each held all six back: both timeouts (1.5 s, 3 s) are long past
    await waitFor("expiry held for several checks", async () => ((await api.metrics()).selfPreservation.suppressedTotal >= 24 ? true : undefined), 10_000);
    const held = await api.list(svc);
    expect(held.hosts).toHaveLength(6);
    expect(held.hosts.every((h) => h.healthy)).toBe(true);
    // five come back; the sixth really is dead and now expires
    const beatFive = async () => {
      for (const ip of ips.slice(0, 5)) await api.beat({ ...svc, ip, port: 80 });
    };
    await waitFor("the dead one removed once the others beat again", async () => {
      await beatFive();
      const hosts = (await api.list(svc)).hosts;
      return hosts.length === 5 && !hosts.some((h) => h.ip === ips[5]) ? true : undefined;
    }, 10_000, 300);
    const m = await api.metrics();
    expect(m.selfPreservation.preservedServices).toEqual([]);
    expect(server.output()).toContain("self-preservation ended");
  }, 30_000);
});

describe("self-preservation off", () => {
  let server: ServerProcess;
  let api: ReturnType<typeof namingApi>;
  beforeAll(async () => {
    server = await startServer({ env: { RNACOS_NAMING_SELF_PRESERVATION_ENABLE: "false" } });
    api = namingApi(server);
  });
  afterAll(() => server?.kill());

  test("every silent instance expires", async () => {
    for (let i = 1; i <= 6; i++) await api.register({ serviceName: "hb-off", ip: `10.0.2.${i}`, port: 80, metadata: META });
    await waitFor("all removed", async () => ((await api.list({ serviceName: "hb-off" })).hosts.length === 0 ? true : undefined), 8000);
    expect((await api.metrics()).selfPreservation).toMatchObject({ enabled: false, suppressedTotal: 0 });
  }, 15_000);
});
