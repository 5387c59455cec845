import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import { PushDispatcher } from "../../../src/naming/push/push-dispatcher.ts";
import { PushMerger } from "../../../src/naming/push/push-merger.ts";
import { NamingPush } from "../../../src/naming/push/naming-push.ts";
import { type Subscriber, SubscriberRegistry } from "../../../src/naming/push/subscriber-registry.ts";
import { NamingRegistry } from "../../../src/naming/registry/naming-registry.ts";
import { BEAT_OWNER } from "../../../src/naming/registry/instance-owner.ts";
import { serviceKeyString } from "../../../src/naming/model/names.ts";
import { FakeTimers, settle } from "./support/fake-timers.ts";
import { inst, SVC, TIMING } from "./support/fixtures.ts";

const SVC_ID = serviceKeyString(SVC);

describe("merging", () => {
  test("changes inside one window become one flush, with the state at its end", () => {
    const timers = new FakeTimers();
    const flushed: string[] = [];
    const merger = new PushMerger(timers, 500, (id) => flushed.push(id));
    merger.changed("a");
    timers.advance(200);
    merger.changed("a");
    merger.changed("b");
    timers.advance(299);
    expect(flushed).toEqual([]);
    timers.advance(1);
    expect(flushed).toEqual(["a"]);
    timers.advance(200);
    expect(flushed).toEqual(["a", "b"]);
    expect(merger.merged).toBe(1);
    merger.changed("a");
    timers.advance(500);
    expect(flushed).toEqual(["a", "b", "a"]);
  });
});

function subscriber(i: number): Subscriber {
  return { id: `grpc:c${i}`, kind: "grpc", service: SVC, clusters: "", ip: "127.0.0.1", port: 0, connectionId: `c${i}`, agent: "", app: "", subscribedAt: 0, lastSeenAt: 0 };
}

describe("fan-out", () => {
  test("bounded rate: a burst goes out at maxPerSecond, not at once", async () => {
    const timers = new FakeTimers();
    const sent: number[] = [];
    const d = new PushDispatcher(timers, { maxPerSecond: 100, maxInFlight: 1000 }, async () => void sent.push(timers.now()), silentLogger);
    for (let i = 0; i < 50; i++) d.enqueue(subscriber(i), SVC_ID);
    await settle();
    expect(sent.length).toBe(10); // the burst: a tenth of a second's worth
    timers.advance(100);
    await settle();
    expect(sent.length).toBeGreaterThanOrEqual(19);
    expect(sent.length).toBeLessThanOrEqual(21);
    for (let i = 0; i < 10; i++) {
      timers.advance(100);
      await settle();
    }
    expect(sent.length).toBe(50);
    expect(d.stats()).toMatchObject({ delivered: 50, queued: 0, inFlight: 0 });
  });

  test("bounded in flight: the next push waits for an ack", async () => {
    const timers = new FakeTimers();
    const acks: (() => void)[] = [];
    const d = new PushDispatcher(timers, { maxPerSecond: 1_000_000, maxInFlight: 2 }, () => new Promise<void>((r) => acks.push(r)), silentLogger);
    for (let i = 0; i < 5; i++) d.enqueue(subscriber(i), SVC_ID);
    await settle();
    expect(acks).toHaveLength(2);
    acks[0]!();
    await settle();
    expect(acks).toHaveLength(3);
    expect(d.stats().inFlight).toBe(2);
  });

  test("a subscriber queued twice for a service is pushed once", async () => {
    const timers = new FakeTimers();
    let sent = 0;
    const d = new PushDispatcher(timers, { maxPerSecond: 1, maxInFlight: 10 }, async () => void sent++, silentLogger);
    d.enqueue(subscriber(1), SVC_ID);
    d.enqueue(subscriber(2), SVC_ID);
    d.enqueue(subscriber(2), SVC_ID);
    timers.advance(5000);
    await settle();
    expect(sent).toBe(2);
  });

  test("failed pushes are counted and do not stop the queue", async () => {
    const timers = new FakeTimers();
    const d = new PushDispatcher(timers, { maxPerSecond: 1000, maxInFlight: 10 }, async (s) => {
      if (s.id === "grpc:c1") throw new Error("gone");
    }, silentLogger);
    d.enqueue(subscriber(1), SVC_ID);
    d.enqueue(subscriber(2), SVC_ID);
    await settle();
    expect(d.stats()).toMatchObject({ delivered: 1, failed: 1 });
  });
});

describe("naming push end to end (fake clock, fake channels)", () => {
  function setup(window = 500) {
    const timers = new FakeTimers();
    const registry = new NamingRegistry();
    const subscribers = new SubscriberRegistry();
    const push = new NamingPush(registry, subscribers, undefined, TIMING, timers, { mergeWindowMs: window, maxPerSecond: 10_000, maxInFlight: 100 }, silentLogger);
    registry.onEvent(push.onEvent);
    const pushes: { connectionId: string; body: Record<string, unknown> }[] = [];
    push.useGrpc(async (connectionId, body) => void pushes.push({ connectionId, body }));
    return { timers, registry, subscribers, push, pushes };
  }

  test("ten registrations inside the window reach each subscriber as one push holding all ten", async () => {
    const { timers, registry, subscribers, pushes } = setup();
    for (const c of ["c1", "c2", "c3"]) subscribers.add({ kind: "grpc", service: SVC, clusters: "", ip: "10.1.1.1", port: 0, connectionId: c, agent: "", app: "" }, 0);
    for (let i = 1; i <= 10; i++) {
      registry.upsert(SVC, inst(`10.0.0.${i}`), BEAT_OWNER, timers.now(), { timing: TIMING });
      timers.advance(20);
    }
    timers.advance(500);
    await settle();
    expect(pushes).toHaveLength(3);
    expect(pushes.map((p) => p.connectionId).sort()).toEqual(["c1", "c2", "c3"]);
    const body = pushes[0]!.body as { serviceName: string; groupName: string; namespace: string; serviceInfo: { hosts: unknown[]; name: string } };
    expect(body).toMatchObject({ serviceName: "orders", groupName: "DEFAULT_GROUP", namespace: "public", module: "naming" });
    expect(body.serviceInfo.hosts).toHaveLength(10);
    expect(body.serviceInfo.name).toBe("orders");
  });

  test("a subscriber's clusters filter its push; an unsubscribed one gets none", async () => {
    const { timers, registry, subscribers, pushes } = setup();
    subscribers.add({ kind: "grpc", service: SVC, clusters: "A", ip: "", port: 0, connectionId: "a", agent: "", app: "" }, 0);
    subscribers.add({ kind: "grpc", service: SVC, clusters: "", ip: "", port: 0, connectionId: "gone", agent: "", app: "" }, 0);
    registry.upsert(SVC, inst("10.0.0.1", 1, { clusterName: "A" }), BEAT_OWNER, 0);
    registry.upsert(SVC, inst("10.0.0.2", 1, { clusterName: "B" }), BEAT_OWNER, 0);
    subscribers.dropConnection("gone");
    timers.advance(500);
    await settle();
    expect(pushes).toHaveLength(1);
    expect((pushes[0]!.body.serviceInfo as { hosts: { ip: string }[] }).hosts.map((h) => h.ip)).toEqual(["10.0.0.1"]);
  });

  test("heartbeats that change nothing push nothing", async () => {
    const { timers, registry, subscribers, pushes } = setup();
    registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 0, { timing: TIMING });
    timers.advance(1000);
    subscribers.add({ kind: "grpc", service: SVC, clusters: "", ip: "", port: 0, connectionId: "c", agent: "", app: "" }, 0);
    for (let i = 0; i < 10; i++) {
      registry.renew(SVC, "10.0.0.1", 8080, timers.now());
      timers.advance(1000);
    }
    await settle();
    expect(pushes).toHaveLength(0);
  });
});
