import { beforeEach, describe, expect, test } from "bun:test";
import { NamingRegistry } from "../../../src/naming/registry/naming-registry.ts";
import { BEAT_OWNER, connectionOwner, PERSISTENT_OWNER } from "../../../src/naming/registry/instance-owner.ts";
import type { NamingEvent } from "../../../src/naming/registry/naming-event.ts";
import { inst, SVC, TIMING } from "./support/fixtures.ts";

let registry: NamingRegistry;
let events: NamingEvent[];
beforeEach(() => {
  registry = new NamingRegistry();
  events = [];
  registry.onEvent((e) => events.push(e));
});

const types = () => events.map((e) => e.type);

describe("every change is an event a replicator could ship", () => {
  test("register, health, removal: upserted/removed with instance, owner and time; populated/emptied at the edges", () => {
    registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 1, { timing: TIMING });
    registry.setHealth(SVC, "10.0.0.1", 8080, false, 2);
    registry.remove(SVC, "10.0.0.1", 8080, "expired", 3);
    expect(types()).toEqual(["instance.upserted", "service.populated", "instance.upserted", "instance.removed", "service.emptied"]);
    const removed = events[3]!;
    expect(removed).toMatchObject({ type: "instance.removed", reason: "expired", at: 3, origin: "local", owner: { kind: "beat" } });
    expect(events[2]).toMatchObject({ previous: { healthy: true }, instance: { healthy: false } });
  });

  test("re-registering identical data renews without an event; a change bumps the revision", () => {
    registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 1);
    const rev = registry.get(SVC)!.revision;
    registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 5);
    expect(registry.get(SVC)!.revision).toBe(rev);
    expect(registry.get(SVC)!.instances.get("10.0.0.1#8080")!.lastBeatAt).toBe(5);
    registry.upsert(SVC, inst("10.0.0.1", 8080, { weight: 2 }), BEAT_OWNER, 6);
    expect(registry.get(SVC)!.revision).toBe(rev + 1);
    expect(types().filter((t) => t === "instance.upserted")).toHaveLength(2);
  });
});

describe("ownership rules", () => {
  test("a heartbeat client cannot take over a persistent instance, nor the reverse", () => {
    registry.upsert(SVC, inst("10.0.0.1", 8080, { ephemeral: false }), PERSISTENT_OWNER, 1);
    expect(() => registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 2)).toThrow(/is persistent/);
    registry.upsert(SVC, inst("10.0.0.2"), BEAT_OWNER, 1);
    expect(() => registry.upsert(SVC, inst("10.0.0.2", 8080, { ephemeral: false }), PERSISTENT_OWNER, 2)).toThrow(/is ephemeral/);
  });

  test("a connection's register replaces its own instances in the service and nobody else's", () => {
    const a = connectionOwner("conn-a");
    registry.replaceForConnection(SVC, "conn-a", a, [inst("10.0.0.1", 1)], 1);
    registry.upsert(SVC, inst("10.0.0.9", 9), BEAT_OWNER, 1);
    registry.replaceForConnection(SVC, "conn-a", a, [inst("10.0.0.1", 2)], 2);
    expect([...registry.get(SVC)!.instances.keys()].sort()).toEqual(["10.0.0.1#2", "10.0.0.9#9"]);
    expect(events.find((e) => e.type === "instance.removed")).toMatchObject({ reason: "replaced", instance: { port: 1 } });
  });

  test("a batch is one publication: a second batch leaves exactly its instances", () => {
    const a = connectionOwner("c");
    registry.replaceForConnection(SVC, "c", a, [inst("10.0.0.1", 1), inst("10.0.0.1", 2), inst("10.0.0.1", 3)], 1);
    registry.replaceForConnection(SVC, "c", a, [inst("10.0.0.1", 3), inst("10.0.0.1", 4)], 2);
    expect([...registry.get(SVC)!.instances.keys()].sort()).toEqual(["10.0.0.1#3", "10.0.0.1#4"]);
  });

  test("a closed connection loses everything it owned, in every service", () => {
    const other = { ...SVC, name: "payments" };
    registry.replaceForConnection(SVC, "c", connectionOwner("c"), [inst("10.0.0.1")], 1);
    registry.replaceForConnection(other, "c", connectionOwner("c"), [inst("10.0.0.1")], 1);
    registry.replaceForConnection(SVC, "d", connectionOwner("d"), [inst("10.0.0.2")], 1);
    expect(registry.dropConnection("c", 2)).toBe(2);
    expect([...registry.get(SVC)!.instances.keys()]).toEqual(["10.0.0.2#8080"]);
    expect(registry.get(other)!.instances.size).toBe(0);
    expect(registry.connectionCount()).toBe(1);
    expect(events.filter((e) => e.type === "instance.removed").every((e) => e.type === "instance.removed" && e.reason === "disconnected")).toBe(true);
  });

  test("taking over an address from another connection moves it to the new owner", () => {
    registry.replaceForConnection(SVC, "a", connectionOwner("a"), [inst("10.0.0.1")], 1);
    registry.replaceForConnection(SVC, "b", connectionOwner("b"), [inst("10.0.0.1")], 2);
    expect(registry.dropConnection("a", 3)).toBe(0);
    expect(registry.get(SVC)!.instances.size).toBe(1);
    expect(registry.dropConnection("b", 4)).toBe(1);
  });
});

describe("service lifecycle", () => {
  test("empty, undefined, unwatched services are dropped after the grace period", () => {
    registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 0);
    registry.remove(SVC, "10.0.0.1", 8080, "deregistered", 10);
    expect(registry.pruneEmpty(50, 60, () => false)).toBe(0);
    expect(registry.pruneEmpty(80, 60, () => true)).toBe(0);
    expect(registry.pruneEmpty(80, 60, () => false)).toBe(1);
    expect(registry.get(SVC)).toBeUndefined();
  });

  test("a defined service stays while empty; undefining an empty one drops it", () => {
    registry.define(SVC, { protectThreshold: 0.5, metadata: {}, selector: { type: "none" }, clusters: {} }, 1);
    expect(registry.pruneEmpty(1_000_000, 60, () => false)).toBe(0);
    registry.undefine(SVC, 2);
    expect(registry.get(SVC)).toBeUndefined();
    expect(types()).toEqual(["service.defined", "service.undefined", "service.dropped"]);
  });

  test("a listener that throws does not undo the change or stop the others", () => {
    const errors: unknown[] = [];
    const r = new NamingRegistry((e) => errors.push(e));
    let heard = 0;
    r.onEvent(() => {
      throw new Error("boom");
    });
    r.onEvent(() => heard++);
    r.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 1);
    expect(r.get(SVC)!.instances.size).toBe(1);
    expect(heard).toBe(2);
    expect(errors).toHaveLength(2);
  });
});
