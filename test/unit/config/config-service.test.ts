import { describe, expect, test } from "bun:test";
import { DomainError } from "../../../src/errors.ts";
import { ConfigTables } from "../../../src/config/store/config-tables.ts";
import { md5Hex } from "../../../src/config/model/md5.ts";
import { formalHistory } from "../../../src/config/commands/publish-config.ts";
import { ANONYMOUS } from "../../../src/config/gray/gray-match.ts";
import { LOCAL, makeHarness } from "./harness.ts";

const key = { namespace: "", group: "DEFAULT_GROUP", dataId: "app.yaml" };
const publish = (h: ReturnType<typeof makeHarness>, content: string, extra: Record<string, string> = {}) =>
  h.module.api.configs.publish({ ...key, content, ...LOCAL, ...extra });

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error("expected a rejection");
}

describe("publish and read", () => {
  test("a published config reads back with its md5, type and time", async () => {
    const h = makeHarness();
    h.clock.now = 1_700_000_123_000;
    await publish(h, "x: 1", { type: "yaml", desc: "d", appName: "app", configTags: "a,b" });
    const read = h.module.api.configs.read("", "DEFAULT_GROUP", "app.yaml", ANONYMOUS)!;
    expect(read).toEqual({ content: "x: 1", md5: md5Hex("x: 1"), type: "yaml", lastModified: 1_700_000_123_000, beta: false, tag: "" });
    const detail = h.module.api.configs.detail("public", "DEFAULT_GROUP", "app.yaml")!;
    expect(detail).toMatchObject({ id: 1, desc: "d", appName: "app", configTags: "a,b", srcIp: "127.0.0.1", createdAt: 1_700_000_123_000 });
  });

  test('"public" and "" name the same namespace for writes and reads', async () => {
    const h = makeHarness();
    await h.module.api.configs.publish({ namespace: "public", group: "G", dataId: "d", content: "v", ...LOCAL });
    expect(h.module.api.configs.read("", "G", "d", ANONYMOUS)?.content).toBe("v");
    await h.module.api.configs.remove("", "G", "d", LOCAL);
    expect(h.module.api.configs.read("public", "G", "d", ANONYMOUS)).toBeUndefined();
  });

  test("an update keeps the id and creation time; an unknown type becomes text", async () => {
    const h = makeHarness();
    await publish(h, "one", { type: "yaml" });
    h.clock.now += 5000;
    await publish(h, "two", { type: "weird" });
    const c = h.module.api.configs.detail("", "DEFAULT_GROUP", "app.yaml")!;
    expect(c.id).toBe(1);
    expect(c.type).toBe("text");
    expect(c.modifiedAt - c.createdAt).toBe(5000);
  });

  test("bad input is refused before anything is written", async () => {
    const h = makeHarness({ env: { RNACOS_CONFIG_MAX_CONTENT: "16" } });
    const applied = h.sm.applied.index;
    expect((await rejection(h.module.api.configs.publish({ ...key, dataId: "bad id", content: "x", ...LOCAL }))).message).toBe("invalid dataId : bad id");
    expect((await rejection(publish(h, "x".repeat(17)))).message).toBe("invalid content, over 16 bytes");
    expect((await rejection(publish(h, "   "))).kind).toBe("invalid");
    expect((await rejection(publish(h, "ok", { desc: "d".repeat(200) }))).message).toBe("too long desc, over 128");
    expect(h.sm.applied.index).toBe(applied);
    expect(h.module.api.configs.index.size).toBe(0);
    expect(h.db.query("SELECT count(*) AS n FROM config_history").get()).toEqual({ n: 0 });
  });
});

describe("compare-and-set", () => {
  test("publish over the current md5 succeeds; over another md5 is refused and writes nothing", async () => {
    const h = makeHarness();
    await publish(h, "v1");
    await publish(h, "v2", { casMd5: md5Hex("v1") });
    const e = await rejection(publish(h, "v3", { casMd5: md5Hex("v1") }));
    expect(e.kind).toBe("conflict");
    expect(e.nacosCode).toBe(20005);
    expect(e.message).toBe("Cas publish fail, server md5 may have changed.");
    expect(h.module.api.configs.read("", "DEFAULT_GROUP", "app.yaml", ANONYMOUS)?.content).toBe("v2");
    expect(h.db.query("SELECT count(*) AS n FROM config_history").get()).toEqual({ n: 2 });
  });

  test("CAS on a config that does not exist creates it (Nacos insertOrUpdateCas)", async () => {
    const h = makeHarness();
    await publish(h, "first", { casMd5: "anything" });
    expect(h.module.api.configs.read("", "DEFAULT_GROUP", "app.yaml", ANONYMOUS)?.content).toBe("first");
  });

  test("concurrent CAS publishes over one md5: exactly one wins", async () => {
    const h = makeHarness();
    await publish(h, "base");
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => publish(h, `writer ${i}`, { casMd5: md5Hex("base") })));
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    expect(results.filter((r) => r.status === "rejected").length).toBe(9);
  });

  test("writes to one key in one batch each see the one before (history and ids follow the batch's order)", async () => {
    const h = makeHarness();
    await publish(h, "v1");
    // Not awaited in between: the proposer applies these in one batch, before the read model hears of any.
    await Promise.all([publish(h, "v2"), h.module.api.configs.remove("", key.group, key.dataId, LOCAL), publish(h, "v3"), publish(h, "v4")]);
    const rows = h.module.api.history.list("", key.group, key.dataId, 1, 10).pageItems;
    expect(rows.map((r) => [r.opType, r.content])).toEqual([
      ["U", "v3"],
      ["I", "v3"],
      ["D", "v2"],
      ["U", "v1"],
      ["I", "v1"],
    ]);
    expect(h.module.api.configs.read("", key.group, key.dataId, ANONYMOUS)?.content).toBe("v4");
    expect(h.module.api.configs.detail("public", key.group, key.dataId)?.id).toBe(2);
  });
});

describe("history", () => {
  test("insert, update and delete each append one row: I holds the new content, U and D the old", async () => {
    const h = makeHarness();
    await publish(h, "v1");
    await publish(h, "v2");
    await h.module.api.configs.remove("", "DEFAULT_GROUP", "app.yaml", LOCAL);
    const page = h.module.api.history.list("", "DEFAULT_GROUP", "app.yaml", 1, 10);
    expect(page.totalCount).toBe(3);
    expect(page.pageItems.map((r) => [r.opType, r.content])).toEqual([
      ["D", "v2"],
      ["U", "v1"],
      ["I", "v1"],
    ]);
  });

  test("detail pairs an update with what replaced it; previous is the newest row of a config id", async () => {
    const h = makeHarness();
    await publish(h, "v1");
    await publish(h, "v2");
    await publish(h, "v3");
    const rows = h.module.api.history.list("", "DEFAULT_GROUP", "app.yaml", 1, 10).pageItems;
    const firstUpdate = rows.find((r) => r.opType === "U" && r.content === "v1")!;
    const d = h.module.api.history.detail("", "DEFAULT_GROUP", "app.yaml", firstUpdate.nid)!;
    expect([d.originalContent, d.updatedContent]).toEqual(["v1", "v2"]);
    const lastUpdate = rows[0]!;
    const d2 = h.module.api.history.detail("", "DEFAULT_GROUP", "app.yaml", lastUpdate.nid)!;
    expect([d2.originalContent, d2.updatedContent]).toEqual(["v2", "v3"]);
    expect(h.module.api.history.previous("", "DEFAULT_GROUP", "app.yaml", 1)?.nid).toBe(lastUpdate.nid);
  });

  test("a row is not shown through another config's name", async () => {
    const h = makeHarness();
    await publish(h, "v1");
    const e = (() => {
      try {
        h.module.api.history.get("", "DEFAULT_GROUP", "other", 1);
      } catch (err) {
        return err as DomainError;
      }
    })();
    expect(e?.kind).toBe("forbidden");
  });

  test("rows older than 30 days are dropped by later writes (a sweep every 256 rows)", async () => {
    const h = makeHarness();
    await publish(h, "old");
    h.clock.now += 31 * 24 * 3600 * 1000;
    for (let i = 0; i < 256; i++) await publish(h, `new ${i}`);
    const oldest = h.db.query("SELECT min(created_at) AS t FROM config_history").get() as { t: number };
    expect(oldest.t).toBe(h.clock.now);
    const rows = h.module.api.history.list("", "DEFAULT_GROUP", "app.yaml", 1, 300).pageItems;
    expect(rows.every((r) => r.opType === "U")).toBe(true);
  });
});

describe("removal", () => {
  test("remove of a missing config resolves (Nacos answers true) and writes no history", async () => {
    const h = makeHarness();
    expect(await h.module.api.configs.remove("", "G", "none", LOCAL)).toBe(false);
    expect(h.db.query("SELECT count(*) AS n FROM config_history").get()).toEqual({ n: 0 });
  });

  test("batch remove by ids removes those configs and skips unknown ids", async () => {
    const h = makeHarness();
    for (const d of ["a", "b", "c"]) await h.module.api.configs.publish({ namespace: "", group: "G", dataId: d, content: d, ...LOCAL });
    const ids = ["a", "c"].map((d) => h.module.api.configs.detail("", "G", d)!.id);
    expect(await h.module.api.configs.removeByIds([...ids, 999], LOCAL)).toBe(2);
    expect([...h.module.api.configs.index.formals()].map((c) => c.dataId)).toEqual(["b"]);
  });
});

describe("the read model is rebuilt from SQLite", () => {
  test("a new module over the same database reads the same configs, grays and namespaces", async () => {
    const h = makeHarness();
    await publish(h, "v1", { type: "json" });
    await publish(h, "beta", { betaIps: "10.0.0.9" });
    await h.module.api.namespaces.create("dev", "Dev");
    await h.module.api.configs.publish({ namespace: "dev", group: "G", dataId: "d", content: "dev", ...LOCAL });
    const again = makeHarness({ db: h.db });
    const c = again.module.api.configs;
    expect(c.read("", "DEFAULT_GROUP", "app.yaml", ANONYMOUS)?.content).toBe("v1");
    expect(c.read("", "DEFAULT_GROUP", "app.yaml", { ip: "10.0.0.9", tag: "" })?.content).toBe("beta");
    expect(c.read("dev", "G", "d", ANONYMOUS)?.content).toBe("dev");
    expect(again.module.api.namespaces.list().map((n) => [n.id, n.configCount])).toEqual([
      ["", 1],
      ["dev", 1],
    ]);
  });

  test("after a snapshot install the index reloads and the changed keys are announced", async () => {
    const h = makeHarness();
    await publish(h, "v1");
    await h.module.api.configs.publish({ namespace: "", group: "G", dataId: "same", content: "s", ...LOCAL });
    const announced: string[] = [];
    const original = h.module.fanout.changed.bind(h.module.fanout);
    h.module.fanout.changed = (c) => {
      announced.push(c.key.dataId);
      original(c);
    };
    // What a snapshot install does: replace rows underneath, then tell the state machine.
    const t = new ConfigTables(h.db);
    const c = t.findConfig(key)!;
    t.updateConfig({ ...c, content: "from leader", md5: md5Hex("from leader") }, formalHistory(c, "U", { at: h.clock.now, ...LOCAL, srcUser: "" }));
    t.insertConfig({ ...c, id: 50, dataId: "new.yaml", content: "n", md5: md5Hex("n") });
    h.sm.restored();
    expect(h.module.api.configs.read("", "DEFAULT_GROUP", "app.yaml", ANONYMOUS)?.content).toBe("from leader");
    expect(h.module.api.configs.read("", "DEFAULT_GROUP", "new.yaml", ANONYMOUS)?.content).toBe("n");
    expect(announced.sort()).toEqual(["app.yaml", "new.yaml"]);
  });
});
