import { describe, expect, test } from "bun:test";
import { DomainError } from "../../../src/errors.ts";
import { BEAT_OK, BEAT_UNKNOWN_INSTANCE, HTTP_CALLER } from "../../../src/naming/naming-service.ts";
import { loadPersistentState } from "../../../src/naming/persistent/persistent-commands.ts";
import { namingFixture } from "./support/naming-fixture.ts";
import { SVC } from "./support/fixtures.ts";

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("ephemeral instances over HTTP", () => {
  test("beats renew rather than re-register: no event, the beat time moves", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080 }, HTTP_CALLER);
    const before = f.events.length;
    f.advance(5000);
    expect(f.service.beat(SVC, "10.0.0.1", 8080, undefined)).toEqual({ code: BEAT_OK, clientBeatIntervalMs: 5000 });
    expect(f.events.length).toBe(before);
    expect(f.registry.get(SVC)!.instances.get("10.0.0.1#8080")!.lastBeatAt).toBe(f.now());
  });

  test("a light beat for an unknown instance answers 20404; a beat with data registers it again", () => {
    const f = namingFixture();
    expect(f.service.beat(SVC, "10.0.0.1", 8080, undefined).code).toBe(BEAT_UNKNOWN_INSTANCE);
    const r = f.service.beat(SVC, "10.0.0.1", 8080, { ip: "10.0.0.1", port: 8080, cluster: "c1", metadata: { "preserved.heart.beat.interval": "2000", "preserved.heart.beat.timeout": "6000" } });
    expect(r).toEqual({ code: BEAT_OK, clientBeatIntervalMs: 2000 });
    expect(f.registry.get(SVC)!.instances.get("10.0.0.1#8080")!.instance.clusterName).toBe("c1");
  });

  test("update changes only the fields given and keeps the heartbeat time", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080, weight: 3, metadata: { a: "1" } }, HTTP_CALLER);
    const beatAt = f.now();
    f.advance(1000);
    await f.service.update(SVC, "10.0.0.1", 8080, { enabled: false });
    const r = f.registry.get(SVC)!.instances.get("10.0.0.1#8080")!;
    expect(r.instance).toMatchObject({ weight: 3, enabled: false, metadata: { a: "1" } });
    expect(r.lastBeatAt).toBe(beatAt);
    expect((await refusal(f.service.update(SVC, "10.0.0.2", 8080, {}))).httpStatus).toBe(404);
    expect((await refusal(f.service.update({ ...SVC, name: "nope" }, "10.0.0.2", 8080, {}))).nacosCode).toBe(21008);
  });

  test("instance detail: Nacos's not-found messages", async () => {
    const f = namingFixture();
    expect((await refusal(() => f.service.instance(SVC, "DEFAULT", "10.0.0.1", 80))).message).toContain("no ips found for cluster DEFAULT");
    await f.service.register(SVC, { ip: "10.0.0.1", port: 80 }, HTTP_CALLER);
    expect((await refusal(() => f.service.instance(SVC, "OTHER", "10.0.0.1", 80))).message).toBe("no matched ip found!");
    expect(f.service.instance(SVC, "DEFAULT", "10.0.0.1", 80).ip).toBe("10.0.0.1");
  });
});

describe("persistent instances go through Raft", () => {
  test("register writes SQLite through a command; deregister removes it; a restart reloads", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080, ephemeral: false, metadata: { v: "1" } }, HTTP_CALLER);
    expect(f.sm.applied.index).toBe(1);
    expect(f.db.query("SELECT ip, port, healthy FROM naming_instance").all()).toEqual([{ ip: "10.0.0.1", port: 8080, healthy: 1 }]);
    expect(f.registry.get(SVC)!.instances.get("10.0.0.1#8080")!.owner.kind).toBe("persistent");

    const restarted = namingFixture(f.db);
    expect(restarted.registry.get(SVC)!.instances.get("10.0.0.1#8080")!.instance).toMatchObject({ ephemeral: false, metadata: { v: "1" } });

    await f.service.deregister(SVC, "10.0.0.1", 8080);
    expect(f.db.query("SELECT count(*) AS n FROM naming_instance").get()).toEqual({ n: 0 });
    expect(f.registry.get(SVC)?.instances.size ?? 0).toBe(0);
  });

  test("health from probes is a command too, and survives a reload", async () => {
    const f = namingFixture();
    await f.service.registerPersistent(SVC, { ip: "10.0.0.1", port: 8080 });
    await f.service.setPersistentHealth(SVC, "10.0.0.1", 8080, false);
    expect(f.registry.get(SVC)!.instances.get("10.0.0.1#8080")!.instance.healthy).toBe(false);
    loadPersistentState(f.db, f.registry, f.now());
    expect(f.registry.get(SVC)!.instances.get("10.0.0.1#8080")!.instance.healthy).toBe(false);
  });

  test("an address held by an ephemeral instance cannot be registered persistent (and the reverse)", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080 }, HTTP_CALLER);
    expect((await refusal(f.service.registerPersistent(SVC, { ip: "10.0.0.1", port: 8080 }))).message).toContain("is ephemeral");
    await f.service.registerPersistent(SVC, { ip: "10.0.0.2", port: 8080 });
    expect((await refusal(f.service.register(SVC, { ip: "10.0.0.2", port: 8080 }, HTTP_CALLER))).message).toContain("is persistent");
  });

  test("a snapshot restore rebuilds persistent state from SQLite", async () => {
    const f = namingFixture();
    await f.service.registerPersistent(SVC, { ip: "10.0.0.1", port: 8080 });
    f.db.run("DELETE FROM naming_instance");
    f.db.run("INSERT INTO naming_instance VALUES ('public','DEFAULT_GROUP','orders','10.0.0.7',9,'DEFAULT','x',1,1,1,'{}',0,0)");
    loadPersistentState(f.db, f.registry, f.now());
    expect([...f.registry.get(SVC)!.instances.keys()]).toEqual(["10.0.0.7#9"]);
  });
});

describe("services", () => {
  test("create, update, detail, delete; definitions persist through Raft", async () => {
    const f = namingFixture();
    await f.service.createService(SVC, { protectThreshold: 0.3, metadata: { team: "a" } });
    expect((await refusal(f.service.createService(SVC, {}))).nacosCode).toBe(21007);
    await f.service.updateService(SVC, { protectThreshold: 0.6 });
    expect(f.service.service(SVC).definition).toMatchObject({ protectThreshold: 0.6, metadata: { team: "a" } });
    expect(namingFixture(f.db).registry.get(SVC)!.definition.protectThreshold).toBe(0.6);
    await f.service.deleteService(SVC);
    expect(f.registry.get(SVC)).toBeUndefined();
    expect((await refusal(f.service.deleteService(SVC))).nacosCode).toBe(21008);
  });

  test("a service with instances cannot be deleted, nor created again", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080 }, HTTP_CALLER);
    expect((await refusal(f.service.createService(SVC, {}))).nacosCode).toBe(21007);
    expect((await refusal(f.service.deleteService(SVC))).nacosCode).toBe(21009);
  });

  test("a persistent instance blocks deletion inside the command as well", async () => {
    const f = namingFixture();
    await f.service.registerPersistent(SVC, { ip: "10.0.0.1", port: 8080 });
    f.registry.remove(SVC, "10.0.0.1", 8080, "deregistered", f.now()); // memory lost it; SQLite did not
    f.registry.define(SVC, f.registry.get(SVC)?.definition ?? { protectThreshold: 0, metadata: {}, selector: { type: "none" }, clusters: {} }, f.now());
    expect((await refusal(f.service.deleteService(SVC))).nacosCode).toBe(21009);
  });

  test("cluster health-check settings are part of the definition", async () => {
    const f = namingFixture();
    await f.service.registerPersistent(SVC, { ip: "10.0.0.1", port: 8080 });
    await f.service.updateCluster(SVC, "DEFAULT", { healthChecker: { type: "HTTP", path: "/health" } });
    expect(f.registry.get(SVC)!.definition.clusters.DEFAULT!.healthChecker).toEqual({ type: "HTTP", path: "/health" });
  });

  test("service names are validated on every call", async () => {
    const f = namingFixture();
    expect((await refusal(f.service.register({ ...SVC, name: "a b" }, { ip: "10.0.0.1", port: 1 }, HTTP_CALLER))).nacosCode).toBe(21000);
    expect((await refusal(() => f.service.list({ ...SVC, group: "" }, { clusters: "", healthyOnly: false, groupedName: true }))).httpStatus).toBe(400);
  });
});

describe("gRPC connections", () => {
  test("a closed connection takes its instances and subscriptions with it", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080 }, { kind: "grpc", connectionId: "c1" });
    f.service.subscribe(SVC, "c1", "", "10.0.0.1", "Nacos-Java-Client:v2.3.0", "");
    f.service.connectionClosed("c1");
    expect(f.registry.get(SVC)!.instances.size).toBe(0);
    expect(f.subscribers.count()).toBe(0);
  });

  test("while the node drains, a closed connection's instances stay (nobody is told they died)", async () => {
    const f = namingFixture();
    await f.service.register(SVC, { ip: "10.0.0.1", port: 8080 }, { kind: "grpc", connectionId: "c1" });
    f.service.beginDrain();
    const before = f.events.length;
    f.service.connectionClosed("c1");
    expect(f.registry.get(SVC)!.instances.size).toBe(1);
    expect(f.events.length).toBe(before);
  });

  test("batch register refuses persistent instances and duplicates", async () => {
    const f = namingFixture();
    expect((await refusal(() => f.service.batchRegister(SVC, [{ ip: "10.0.0.1", port: 1, ephemeral: false }], "c"))).message).toContain("persistent");
    expect((await refusal(() => f.service.batchRegister(SVC, [{ ip: "10.0.0.1", port: 1 }, { ip: "10.0.0.1", port: 1 }], "c"))).message).toContain("twice");
    expect(f.service.batchRegister(SVC, [{ ip: "10.0.0.1", port: 1 }, { ip: "10.0.0.1", port: 2 }], "c")).toHaveLength(2);
  });
});

describe("UDP subscriptions", () => {
  test("a list with a udpPort subscribes (renewed by each list); without one it does not", () => {
    const f = namingFixture();
    const q = { clusters: "", healthyOnly: false, groupedName: true };
    f.service.list(SVC, q);
    expect(f.subscribers.count()).toBe(0);
    f.service.list(SVC, q, { ip: "10.9.9.9", port: 5555, agent: "Nacos-Java-Client:v1.4.1", app: "shop" });
    f.advance(1000);
    f.service.list(SVC, { ...q, clusters: "DEFAULT" }, { ip: "10.9.9.9", port: 5555, agent: "Nacos-Java-Client:v1.4.1", app: "shop" });
    const subs = f.service.subscribersOf(SVC);
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ kind: "udp", ip: "10.9.9.9", port: 5555, clusters: "DEFAULT", lastSeenAt: f.now() });
    expect(f.subscribers.expireUdp(f.now() + 180_001, 180_000)).toBe(1);
  });
});
