import { beforeEach, describe, expect, test } from "bun:test";
import { createLogger } from "../../../src/log.ts";
import { BeatChecker } from "../../../src/naming/heartbeat/beat-checker.ts";
import { isAtRisk, shouldPreserve } from "../../../src/naming/heartbeat/self-preservation.ts";
import { NamingRegistry } from "../../../src/naming/registry/naming-registry.ts";
import { BEAT_OWNER, connectionOwner, PERSISTENT_OWNER } from "../../../src/naming/registry/instance-owner.ts";
import { inst, SVC, TIMING } from "./support/fixtures.ts";

let registry: NamingRegistry;
let lines: string[];
const log = () => createLogger({ defaultLevel: "info", modules: new Map() }, "naming", (l) => lines.push(l));
const policy = { enabled: true, threshold: 0.4, minInstances: 5 };

beforeEach(() => {
  registry = new NamingRegistry();
  lines = [];
});

function beatAll(n: number, at: number, service = SVC, first = 1) {
  for (let i = 0; i < n; i++) registry.upsert(service, inst(`10.0.0.${first + i}`), BEAT_OWNER, at, { timing: TIMING });
}
const healthOf = (ip: string) => registry.get(SVC)?.instances.get(`${ip}#8080`)?.instance.healthy;

describe("expiry", () => {
  test("unhealthy after the heartbeat timeout, removed after the delete timeout, healed by a beat", () => {
    const checker = new BeatChecker(registry, { ...policy, enabled: false }, log());
    beatAll(1, 0);
    expect(checker.check(14_999).markedUnhealthy).toBe(0);
    expect(checker.check(15_000).markedUnhealthy).toBe(1);
    expect(healthOf("10.0.0.1")).toBe(false);
    registry.renew(SVC, "10.0.0.1", 8080, 16_000);
    expect(healthOf("10.0.0.1")).toBe(true);
    expect(checker.check(45_999).removed).toBe(0);
    expect(checker.check(46_000).removed).toBe(1);
    expect(registry.get(SVC)!.instances.size).toBe(0);
  });

  test("instance metadata preserved.heart.beat.* overrides the defaults", () => {
    const checker = new BeatChecker(registry, policy, log());
    registry.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 0, { timing: { intervalMs: 1000, unhealthyAfterMs: 3000, removeAfterMs: 6000 } });
    expect(checker.check(3000).markedUnhealthy).toBe(1);
    expect(checker.check(6000).removed).toBe(1);
  });

  test("gRPC and persistent instances never expire by heartbeat", () => {
    const checker = new BeatChecker(registry, policy, log());
    registry.upsert(SVC, inst("10.0.0.1"), connectionOwner("c"), 0);
    registry.upsert(SVC, inst("10.0.0.2", 8080, { ephemeral: false }), PERSISTENT_OWNER, 0);
    expect(checker.check(10_000_000)).toMatchObject({ markedUnhealthy: 0, removed: 0 });
    expect(registry.get(SVC)!.instances.size).toBe(2);
  });

  test("a paused checker (node draining) expires nothing", () => {
    const checker = new BeatChecker(registry, policy, log());
    beatAll(1, 0);
    checker.pause();
    expect(checker.check(100_000).removed).toBe(0);
  });
});

describe("self-preservation", () => {
  test("the rule: more than the threshold at risk, and at least the minimum of instances", () => {
    expect(shouldPreserve(10, 5, policy)).toBe(true);
    expect(shouldPreserve(10, 4, policy)).toBe(false);
    expect(shouldPreserve(4, 4, policy)).toBe(false);
    expect(shouldPreserve(10, 10, { ...policy, enabled: false })).toBe(false);
    // on time: beat 5 s ago with a 5 s interval, due at 15 s: not at risk; 10 s silent: at risk
    expect(isAtRisk(5000, true, TIMING)).toBe(false);
    expect(isAtRisk(10_000, true, TIMING)).toBe(true);
  });

  test("a network cut (all beats stop together) holds expiry, logs once, and says so in status", () => {
    const checker = new BeatChecker(registry, policy, log());
    // beats staggered over one interval, then silence
    for (let i = 0; i < 10; i++) registry.upsert(SVC, inst(`10.0.0.${i + 1}`), BEAT_OWNER, i * 500, { timing: TIMING });
    for (let t = 5000; t <= 60_000; t += 1000) {
      const out = checker.check(t);
      expect(out.removed + out.markedUnhealthy).toBe(0);
    }
    expect(registry.get(SVC)!.instances.size).toBe(10);
    expect([...registry.get(SVC)!.instances.values()].every((r) => r.instance.healthy)).toBe(true);
    const status = checker.status();
    expect(status.nodePreserved).toBe(true);
    expect(status.preservedServices).toEqual(["public@@DEFAULT_GROUP@@orders"]);
    expect(status.suppressedTotal).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes("self-preservation") && l.includes("WARN"))).toHaveLength(2);
  });

  test("when beats come back to most instances, expiry resumes and takes the truly dead ones", () => {
    const checker = new BeatChecker(registry, policy, log());
    beatAll(10, 0);
    checker.check(20_000);
    expect(checker.status().nodePreserved).toBe(true);
    for (let i = 1; i <= 8; i++) registry.renew(SVC, `10.0.0.${i}`, 8080, 21_000);
    const out = checker.check(22_000);
    expect(out.nodePreserved).toBe(false);
    expect(out.markedUnhealthy).toBe(2);
    for (const t of [26_000, 30_000]) for (let i = 1; i <= 8; i++) registry.renew(SVC, `10.0.0.${i}`, 8080, t);
    expect(checker.check(31_000).removed).toBe(2);
    expect(registry.get(SVC)!.instances.size).toBe(8);
    expect(lines.some((l) => l.includes("self-preservation ended"))).toBe(true);
  });

  test("services dying one by one are expired normally", () => {
    const checker = new BeatChecker(registry, policy, log());
    beatAll(10, 0);
    let removed = 0;
    for (let t = 1000; t <= 40_000; t += 1000) {
      // nine keep beating every 5 s; one went silent at 0
      if (t % 5000 === 0) for (let i = 2; i <= 10; i++) registry.renew(SVC, `10.0.0.${i}`, 8080, t);
      removed += checker.check(t).removed;
    }
    expect(removed).toBe(1);
    expect(checker.status().suppressedTotal).toBe(0);
  });

  test("service-level: one service losing most instances at once is held while the node as a whole is fine", () => {
    const checker = new BeatChecker(registry, policy, log());
    const other = { ...SVC, name: "payments" };
    beatAll(6, 0, SVC, 1);
    beatAll(30, 0, other, 100);
    for (let t = 5000; t <= 40_000; t += 5000) for (let i = 100; i < 130; i++) registry.renew(other, `10.0.0.${i}`, 8080, t);
    for (let t = 1000; t <= 40_000; t += 1000) checker.check(t);
    expect(registry.get(SVC)!.instances.size).toBe(6);
    expect(checker.status()).toMatchObject({ nodePreserved: false, preservedServices: ["public@@DEFAULT_GROUP@@orders"] });
  });

  test("small services (below the minimum) expire even when all their instances die at once", () => {
    const checker = new BeatChecker(registry, policy, log());
    beatAll(3, 0);
    expect(checker.check(40_000).removed).toBe(3);
  });

  test("the setting turns it off", () => {
    const checker = new BeatChecker(registry, { ...policy, enabled: false }, log());
    beatAll(10, 0);
    expect(checker.check(40_000).removed).toBe(10);
    expect(checker.status()).toMatchObject({ enabled: false, nodePreserved: false });
  });
});
