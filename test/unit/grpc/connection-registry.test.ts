import { describe, expect, test } from "bun:test";
import { ConnectionRegistry, type ConnectionInfo } from "../../../src/grpc/connection-registry.ts";
import { IdleDetector } from "../../../src/grpc/idle-detector.ts";
import { silentLogger } from "../../../src/log.ts";
import { fakeConnection, fakeSession } from "./fakes.ts";

describe("ConnectionRegistry", () => {
  test("register/unregister fire typed events once; lookups, count, list", () => {
    const reg = new ConnectionRegistry(silentLogger);
    const events: string[] = [];
    const off = reg.on("connected", (c: ConnectionInfo) => events.push(`+${c.id}`));
    reg.on("disconnected", (c, reason) => events.push(`-${c.id}:${reason}`));
    const a = fakeConnection(fakeSession("1_10.0.0.1_1"), { clientIp: "172.16.0.1", labels: {} });
    const b = fakeConnection(fakeSession("2_10.0.0.2_2"));
    expect(reg.register(a.connection)).toBe(true);
    expect(reg.register(a.connection)).toBe(false); // repeated setup is ignored
    reg.register(b.connection);
    expect(reg.count).toBe(2);
    expect(reg.get("1_10.0.0.1_1")).toMatchObject({ clientIp: "172.16.0.1", remoteIp: "10.0.0.1", appName: "-", tenant: "ns1" });
    expect(reg.get("2_10.0.0.2_2")).toMatchObject({ clientIp: "10.0.0.2", appName: "app1" });
    expect(reg.list().map((c) => c.id)).toEqual(["1_10.0.0.1_1", "2_10.0.0.2_2"]);
    expect(JSON.parse(JSON.stringify(reg.list()[0]))).toMatchObject({ id: "1_10.0.0.1_1", clientVersion: "Nacos-Java-Client:v2.3.0" });

    expect(reg.unregister("1_10.0.0.1_1", "bye")?.id).toBe("1_10.0.0.1_1");
    expect(reg.unregister("1_10.0.0.1_1", "again")).toBeUndefined();
    expect(a.closes).toEqual(["bye"]);
    off();
    reg.register(fakeConnection(fakeSession("3_10.0.0.3_3")).connection);
    expect(events).toEqual(["+1_10.0.0.1_1", "+2_10.0.0.2_2", "-1_10.0.0.1_1:bye"]);
    expect(reg.disconnect("2_10.0.0.2_2")).toBe(true);
    expect(reg.has("2_10.0.0.2_2")).toBe(false);
  });

  test("unregister fails the connection's pending pushes", async () => {
    const reg = new ConnectionRegistry(silentLogger);
    const c = fakeConnection(fakeSession());
    reg.register(c.connection);
    const pending = c.connection.channel.push("P", {});
    reg.unregister(c.connection.id, "gone");
    expect(await pending.catch((e) => e.reason)).toBe("closed");
  });

  test("a throwing listener is logged and does not stop the others", () => {
    const reg = new ConnectionRegistry(silentLogger);
    let reached = false;
    reg.on("connected", () => {
      throw new Error("bad listener");
    });
    reg.on("connected", () => (reached = true));
    reg.register(fakeConnection(fakeSession()).connection);
    expect(reached).toBe(true);
  });
});

describe("IdleDetector", () => {
  function world(timeoutMs = 1000) {
    let clock = 1000;
    const reg = new ConnectionRegistry(silentLogger);
    const detector = new IdleDetector({ connections: reg, timeoutMs, probeTimeoutMs: 30, logProbes: false, log: silentLogger, now: () => clock });
    return { reg, detector, advance: (ms: number) => (clock += ms), now: () => clock };
  }
  const bodyOf = (p: { body?: { value: Uint8Array } }) => JSON.parse(new TextDecoder().decode(p.body!.value));

  test("a quiet connection is probed; an answer keeps it, silence drops it", async () => {
    const { reg, detector, advance, now } = world();
    const answering = fakeConnection(fakeSession("1_10.0.0.1_1"), {}, now());
    const silent = fakeConnection(fakeSession("2_10.0.0.2_2"), {}, now());
    reg.register(answering.connection);
    reg.register(silent.connection);
    const gone: string[] = [];
    reg.on("disconnected", (c, reason) => gone.push(`${c.id} ${reason}`));

    advance(999);
    await detector.sweep();
    expect(answering.written.length + silent.written.length).toBe(0); // not idle yet

    advance(1);
    const sweep = detector.sweep();
    expect(answering.written.map((p) => p.metadata!.type)).toEqual(["ClientDetectionRequest"]);
    answering.connection.channel.acknowledge({ requestId: bodyOf(answering.written[0]!).requestId, resultCode: 200 });
    await sweep;
    expect(reg.has("1_10.0.0.1_1")).toBe(true);
    expect(answering.connection.lastActiveAt).toBe(now());
    expect(reg.has("2_10.0.0.2_2")).toBe(false);
    expect(silent.closes.length).toBe(1);
    expect(gone).toEqual([expect.stringContaining("2_10.0.0.2_2 no answer to ClientDetectionRequest")]);
  });

  test("activity resets the idle clock; one probe at a time per connection", async () => {
    const { reg, detector, advance, now } = world();
    const c = fakeConnection(fakeSession(), {}, now());
    reg.register(c.connection);
    advance(800);
    reg.touch(c.connection.id, now());
    advance(800);
    await detector.sweep();
    expect(c.written.length).toBe(0);
    advance(500);
    const first = detector.sweep();
    void detector.sweep();
    expect(c.written.length).toBe(1);
    await first;
  });

  test("sweep interval: a third of the timeout, within 50 ms .. 3 s", () => {
    expect(world(15_000).detector.intervalMs).toBe(3000);
    expect(world(600).detector.intervalMs).toBe(200);
    expect(world(60).detector.intervalMs).toBe(50);
  });
});
