import { describe, expect, test } from "bun:test";
import { FuzzyWatchRegistry, itemMatches, parsePattern, patternMatches } from "../../../src/config/listen/fuzzy-watch.ts";
import { ChangePusher } from "../../../src/config/listen/change-pusher.ts";
import { DomainError } from "../../../src/errors.ts";
import { LOCAL, makeHarness, quietLog } from "./harness.ts";

function recordingPush() {
  const sent: { connectionId: string; type: string; body: Record<string, unknown> }[] = [];
  const push = async (connectionId: string, type: string, body: Record<string, unknown>) => {
    sent.push({ connectionId, type, body });
    return {};
  };
  return { sent, push };
}

async function withConfigs(...dataIds: string[]) {
  const h = makeHarness();
  for (const d of dataIds) await h.module.api.configs.publish({ namespace: "", group: "G", dataId: d, content: d, ...LOCAL });
  return h;
}

const settle = () => Bun.sleep(1);

describe("patterns", () => {
  test("'*' alone, as prefix, suffix or both; exact otherwise", () => {
    expect(itemMatches("*", "x")).toBe(true);
    expect(itemMatches("app*", "app.yaml")).toBe(true);
    expect(itemMatches("*.yaml", "app.yaml")).toBe(true);
    expect(itemMatches("*pp*", "app.yaml")).toBe(true);
    expect(itemMatches("app", "app.yaml")).toBe(false);
    expect(itemMatches("app.yaml", "app.yaml")).toBe(true);
  });

  test("the namespace part is exact, blank meaning public", () => {
    const p = parsePattern(">>G>>app*");
    expect(patternMatches(p, { namespace: "", group: "G", dataId: "app.yaml" })).toBe(true);
    expect(patternMatches(p, { namespace: "dev", group: "G", dataId: "app.yaml" })).toBe(false);
    expect(() => parsePattern("G>>app")).toThrow(DomainError);
  });
});

describe("fuzzy watch", () => {
  test("an initializing watch syncs what the client lacks and what it holds that is gone, then finishes", async () => {
    const h = await withConfigs("app-1", "app-2", "other");
    const { sent, push } = recordingPush();
    const fuzzy = new FuzzyWatchRegistry(h.module.api.configs.index, push, quietLog());
    fuzzy.watch("c1", "public>>G>>app*", ["app-1+G+public", "app-9+G+public"], true);
    await settle();
    expect(sent.map((s) => s.body.syncType)).toEqual(["FUZZY_WATCH_INIT_NOTIFY", "FINISH_FUZZY_WATCH_INIT_NOTIFY"]);
    expect(sent[0]!.body.contexts).toEqual([
      { groupKey: "app-2+G+public", changedType: "ADD_CONFIG" },
      { groupKey: "app-9+G+public", changedType: "DELETE_CONFIG" },
    ]);
    expect(sent[0]!.body).toMatchObject({ groupKeyPattern: "public>>G>>app*", totalBatch: 1, currentBatch: 1, module: "config" });
  });

  test("large syncs go in batches; a non-initializing watch with nothing new sends nothing", async () => {
    const h = await withConfigs(...Array.from({ length: 45 }, (_, i) => `app-${i}`));
    const { sent, push } = recordingPush();
    const fuzzy = new FuzzyWatchRegistry(h.module.api.configs.index, push, quietLog());
    fuzzy.watch("c1", "public>>G>>app*", [], false);
    await settle();
    expect(sent.map((s) => [s.body.syncType, s.body.currentBatch, s.body.totalBatch, (s.body.contexts as unknown[]).length])).toEqual([
      ["FUZZY_WATCH_DIFF_SYNC_NOTIFY", 1, 3, 20],
      ["FUZZY_WATCH_DIFF_SYNC_NOTIFY", 2, 3, 20],
      ["FUZZY_WATCH_DIFF_SYNC_NOTIFY", 3, 3, 5],
    ]);
    sent.length = 0;
    const all = [...fuzzy.matching(parsePattern("public>>G>>app*"))];
    fuzzy.watch("c2", "public>>G>>app*", all, false);
    await settle();
    expect(sent).toEqual([]);
  });

  test("configs appearing and disappearing are pushed to matching watchers once each", async () => {
    const h = await withConfigs();
    const { sent, push } = recordingPush();
    const fuzzy = new FuzzyWatchRegistry(h.module.api.configs.index, push, quietLog());
    h.module.fanout.attachGrpc(new ChangePusher(push, quietLog()), fuzzy);
    fuzzy.watch("c1", "public>>G>>app*", [], false);
    fuzzy.watch("c1", "public>>*>>*", [], false);
    fuzzy.watch("c2", "public>>G>>zzz*", [], false);
    await settle();
    const c = h.module.api.configs;
    await c.publish({ namespace: "", group: "G", dataId: "app-1", content: "1", ...LOCAL });
    await c.publish({ namespace: "", group: "G", dataId: "app-1", content: "2", ...LOCAL }); // an update: no fuzzy push
    await c.remove("", "G", "app-1", LOCAL);
    await settle();
    expect(sent.map((s) => [s.connectionId, s.type, s.body.groupKey, s.body.changeType])).toEqual([
      ["c1", "ConfigFuzzyWatchChangeNotifyRequest", "app-1+G+public", "ADD_CONFIG"],
      ["c1", "ConfigFuzzyWatchChangeNotifyRequest", "app-1+G+public", "DELETE_CONFIG"],
    ]);
  });

  test("limits: patterns per connection and configs matched", async () => {
    const h = await withConfigs("a1", "a2", "a3");
    const { push } = recordingPush();
    const fuzzy = new FuzzyWatchRegistry(h.module.api.configs.index, push, quietLog(), { maxPatternsPerConnection: 2, maxMatchedConfigs: 2, batchSize: 20 });
    const code = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return (err as DomainError).nacosCode;
      }
    };
    expect(code(() => fuzzy.watch("c1", "public>>G>>a*", [], false))).toBe(50311);
    fuzzy.watch("c1", "public>>G>>a1", [], false);
    fuzzy.watch("c1", "public>>G>>a2", [], false);
    expect(code(() => fuzzy.watch("c1", "public>>G>>a3", [], false))).toBe(50310);
    fuzzy.cancel("c1", "public>>G>>a1");
    fuzzy.watch("c1", "public>>G>>a3", [], false);
    fuzzy.dropConnection("c1");
    expect(fuzzy.patternCount).toBe(0);
  });
});
