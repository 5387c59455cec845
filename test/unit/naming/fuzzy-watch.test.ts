import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../src/log.ts";
import { itemMatches, parseFuzzyPattern, patternMatches } from "../../../src/naming/fuzzy-watch/fuzzy-pattern.ts";
import { FuzzyWatchNotifier } from "../../../src/naming/fuzzy-watch/fuzzy-watch-notifier.ts";
import { ADD_SERVICE, DELETE_SERVICE, FuzzyWatchRegistry } from "../../../src/naming/fuzzy-watch/fuzzy-watch-registry.ts";
import { NamingRegistry } from "../../../src/naming/registry/naming-registry.ts";
import { BEAT_OWNER } from "../../../src/naming/registry/instance-owner.ts";
import type { ServiceKey } from "../../../src/naming/model/names.ts";
import { inst } from "./support/fixtures.ts";

const key = (name: string, group = "G", namespace = "public"): ServiceKey => ({ namespace, group, name });

describe("patterns", () => {
  test("exact, *, *x*, *x and x* as Nacos's FuzzyGroupKeyPattern", () => {
    expect(itemMatches("orders", "orders")).toBe(true);
    expect(itemMatches("*", "anything")).toBe(true);
    expect(itemMatches("*der*", "orders")).toBe(true);
    expect(itemMatches("*ers", "orders")).toBe(true);
    expect(itemMatches("ord*", "orders")).toBe(true);
    expect(itemMatches("pay*", "orders")).toBe(false);
    const p = parseFuzzyPattern("public>>G*>>ord*");
    expect(patternMatches(p, key("orders", "G1"))).toBe(true);
    expect(patternMatches(p, key("orders", "G1", "dev"))).toBe(false);
    expect(() => parseFuzzyPattern("public>>G")).toThrow(/namespace>>groupPattern>>servicePattern/);
  });
});

describe("registry", () => {
  test("watch answers what the client lacks or holds wrongly; changes reach each watcher once", () => {
    const r = new FuzzyWatchRegistry();
    const existing = [key("orders"), key("payments"), key("other", "H")];
    const diff = r.watch("public>>G>>*", "c1", ["public@@G@@gone"], () => existing);
    expect(diff).toEqual(
      expect.arrayContaining([
        { serviceKey: "public@@G@@orders", changedType: ADD_SERVICE },
        { serviceKey: "public@@G@@payments", changedType: ADD_SERVICE },
        { serviceKey: "public@@G@@gone", changedType: DELETE_SERVICE },
      ]),
    );
    expect(diff).toHaveLength(3);
    r.watch("public>>*>>*", "c1", [], () => existing);
    r.watch("public>>G>>*", "c2", [], () => existing);
    const notes = r.serviceChanged(key("new"), ADD_SERVICE);
    expect(notes.map((n) => n.connectionId).sort()).toEqual(["c1", "c2"]);
    expect(r.serviceChanged(key("new"), ADD_SERVICE)).toEqual([]);
    expect(r.serviceChanged(key("new"), DELETE_SERVICE)).toHaveLength(2);
    r.dropConnection("c1");
    expect(r.serviceChanged(key("x"), ADD_SERVICE).map((n) => n.connectionId)).toEqual(["c2"]);
    r.cancel("public>>G>>*", "c2");
    expect(r.patternCount).toBe(0);
  });

  test("a connection may watch a bounded number of patterns", () => {
    const r = new FuzzyWatchRegistry();
    for (let i = 0; i < 20; i++) r.watch(`public>>G>>s${i}`, "c", [], () => []);
    expect(() => r.watch("public>>G>>one-more", "c", [], () => [])).toThrow(/at most 20 patterns/);
  });
});

describe("notifier", () => {
  test("initial sync in batches of 10, then FINISH; later a service's first and last instance notify", async () => {
    const registry = new NamingRegistry();
    for (let i = 0; i < 12; i++) registry.upsert(key(`s${i}`), inst("10.0.0.1"), BEAT_OWNER, 0);
    const notifier = new FuzzyWatchNotifier(new FuzzyWatchRegistry(), registry, silentLogger);
    registry.onEvent(notifier.onEvent);
    const sent: { type: string; body: Record<string, unknown> }[] = [];
    notifier.useGrpc(async (_c, type, body) => void sent.push({ type, body }));
    notifier.watch("public>>G>>*", "c1", [], true);
    await Bun.sleep(5);
    expect(sent.map((s) => [s.body.syncType, s.body.currentBatch, s.body.totalBatch, (s.body.contexts as unknown[]).length])).toEqual([
      ["FUZZY_WATCH_INIT_NOTIFY", 1, 2, 10],
      ["FUZZY_WATCH_INIT_NOTIFY", 2, 2, 2],
      ["FINISH_FUZZY_WATCH_INIT_NOTIFY", 2, 2, 0],
    ]);
    sent.length = 0;
    registry.upsert(key("fresh"), inst("10.0.0.1"), BEAT_OWNER, 1);
    registry.upsert(key("fresh"), inst("10.0.0.2"), BEAT_OWNER, 1);
    registry.remove(key("fresh"), "10.0.0.1", 8080, "deregistered", 2);
    registry.remove(key("fresh"), "10.0.0.2", 8080, "deregistered", 3);
    await Bun.sleep(1);
    expect(sent).toEqual([
      { type: "NamingFuzzyWatchChangeNotifyRequest", body: { serviceKey: "public@@G@@fresh", changedType: "ADD_SERVICE", syncType: "FUZZY_WATCH_RESOURCE_CHANGED", module: "naming" } },
      { type: "NamingFuzzyWatchChangeNotifyRequest", body: { serviceKey: "public@@G@@fresh", changedType: "DELETE_SERVICE", syncType: "FUZZY_WATCH_RESOURCE_CHANGED", module: "naming" } },
    ]);
  });
});
