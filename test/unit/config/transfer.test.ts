import { describe, expect, test } from "bun:test";
import { deflateRawSync } from "node:zlib";
import { readZip, writeZip } from "../../../src/config/transfer/zip-archive.ts";
import { legacyMetadataKey, readLegacyMetadata, readMetadataYaml, writeMetadataYaml } from "../../../src/config/transfer/export-metadata.ts";
import { ANONYMOUS } from "../../../src/config/gray/gray-match.ts";
import { DomainError } from "../../../src/errors.ts";
import { LOCAL, makeHarness } from "./harness.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const LIMITS = { maxEntries: 100, maxTotalBytes: 1 << 20 };

describe("zip", () => {
  test("round trip with UTF-8 names and content", () => {
    const z = writeZip([
      { name: "组/配置.yaml", data: enc.encode("键: 值") },
      { name: "G/empty", data: new Uint8Array(0) },
    ]);
    expect(readZip(z, LIMITS).map((e) => [e.name, dec.decode(e.data)])).toEqual([
      ["组/配置.yaml", "键: 值"],
      ["G/empty", ""],
    ]);
  });

  test("damaged, oversized or foreign archives are refused with a clear message", () => {
    expect(() => readZip(enc.encode("not a zip"), LIMITS)).toThrow("the file is not a zip archive");
    const z = writeZip([{ name: "G/a", data: enc.encode("x".repeat(1000)) }]);
    expect(() => readZip(z, { maxEntries: 100, maxTotalBytes: 10 })).toThrow("larger than 10 bytes");
    expect(() => readZip(z, { maxEntries: 0, maxTotalBytes: 1 << 20 })).toThrow("over 0");
    const corrupt = new Uint8Array(z);
    corrupt[40] = corrupt[40]! ^ 0xff; // inside the deflated data
    expect(() => readZip(corrupt, LIMITS)).toThrow(DomainError);
  });

  test("a zip bomb's declared size bounds inflation", () => {
    const big = new Uint8Array(5_000_000);
    const z = Buffer.from(writeZip([{ name: "G/a", data: enc.encode("small") }]));
    // Swap the entry's data for a highly compressible 5 MB stream while the directory still says 5 bytes.
    const bomb = deflateRawSync(big);
    const local = z.subarray(0, 30 + 3);
    const central = Buffer.from(z.subarray(z.length - 22 - 46 - 3, z.length - 22));
    central.writeUInt32LE(bomb.length, 20);
    const end = Buffer.from(z.subarray(z.length - 22));
    end.writeUInt32LE(local.length + bomb.length, 16);
    const crafted = Buffer.concat([local, bomb, central, end]);
    expect(() => readZip(crafted, LIMITS)).toThrow(DomainError);
  });
});

describe("export metadata", () => {
  test(".metadata.yml round trip, quoting what needs it", () => {
    const items = [
      { dataId: "app.yaml", group: "DEFAULT_GROUP", type: "yaml", desc: "a: tricky # desc", appName: "shop", configTags: "a,b" },
      { dataId: "true", group: "G", type: "text" },
    ];
    const yaml = writeMetadataYaml(items);
    expect(yaml).toContain("- appName: shop\n  configTags: \"a,b\"\n  dataId: app.yaml\n");
    expect(readMetadataYaml(yaml)).toEqual([
      { dataId: "app.yaml", group: "DEFAULT_GROUP", type: "yaml", desc: "a: tricky # desc", appName: "shop", configTags: "a,b" },
      { dataId: "true", group: "G", type: "text", desc: undefined, appName: undefined, configTags: undefined },
    ]);
    expect(readMetadataYaml("metadata: []\n")).toEqual([]);
    expect(readMetadataYaml("metadata:\n- dataId: 'it''s'\n  group: G\n  type: text\n")[0]!.dataId).toBe("it's");
    expect(() => readMetadataYaml("something: else\n")).toThrow(DomainError);
  });

  test("the old .meta.yml names the app by group.dataId with the last dot as ~", () => {
    expect(legacyMetadataKey("G", "app.prod.yaml")).toBe("G.app.prod~yaml.app");
    expect(readLegacyMetadata("G.a~yaml.app=shop\r\nG.b.app=web\r\n")).toEqual(
      new Map([
        ["G.a~yaml.app", "shop"],
        ["G.b.app", "web"],
      ]),
    );
  });
});

describe("import, export and clone", () => {
  async function seeded() {
    const h = makeHarness();
    const c = h.module.api.configs;
    await c.publish({ namespace: "", group: "G", dataId: "a.yaml", content: "a: 1", type: "yaml", appName: "shop", desc: "first", ...LOCAL });
    await c.publish({ namespace: "", group: "G", dataId: "b.json", content: "{}", type: "json", ...LOCAL });
    await h.module.api.namespaces.create("dev", "Dev");
    return h;
  }

  test("export v2 then import into another namespace reproduces content and metadata", async () => {
    const h = await seeded();
    const zip = h.module.api.transfer.exportZip({ namespace: "" }, "v2");
    const names = readZip(zip, LIMITS).map((e) => e.name);
    expect(names).toEqual(["G/a.yaml", "G/b.json", ".metadata.yml"]);
    const answer = await h.module.api.transfer.importZip(zip, "dev", "ABORT", LOCAL);
    expect(answer).toMatchObject({ ok: true, result: { succCount: 2, skipCount: 0 } });
    const copy = h.module.api.configs.detail("dev", "G", "a.yaml")!;
    expect(copy).toMatchObject({ content: "a: 1", type: "yaml", appName: "shop", desc: "first" });
  });

  test("export v1 carries app names in .meta.yml, and imports back", async () => {
    const h = await seeded();
    const zip = h.module.api.transfer.exportZip({ namespace: "", dataId: "a*" }, "v1");
    const entries = readZip(zip, LIMITS);
    expect(entries.map((e) => [e.name, dec.decode(e.data)])).toEqual([
      ["G/a.yaml", "a: 1"],
      [".meta.yml", "G.a~yaml.app=shop\r\n"],
    ]);
    await h.module.api.transfer.importZip(zip, "dev", "ABORT", LOCAL);
    expect(h.module.api.configs.detail("dev", "G", "a.yaml")?.appName).toBe("shop");
  });

  test("policies for configs that exist: ABORT stops, SKIP skips, OVERWRITE replaces", async () => {
    const h = await seeded();
    const t = h.module.api.transfer;
    const zip = writeZip([
      { name: "G/new1", data: enc.encode("n1") },
      { name: "G/a.yaml", data: enc.encode("changed") },
      { name: "G/new2", data: enc.encode("n2") },
    ]);
    const abort = await t.importZip(zip, "", "ABORT", LOCAL);
    expect(abort).toMatchObject({ ok: true, result: { succCount: 1, skipCount: 1, failData: [{ dataId: "a.yaml", group: "G" }], skipData: [{ dataId: "new2", group: "G" }] } });
    expect(h.module.api.configs.read("", "G", "new2", ANONYMOUS)).toBeUndefined();
    const skip = await t.importZip(zip, "", "SKIP", LOCAL);
    expect(skip).toMatchObject({ ok: true, result: { succCount: 1, skipCount: 2 } });
    expect(h.module.api.configs.read("", "G", "a.yaml", ANONYMOUS)?.content).toBe("a: 1");
    const over = await t.importZip(zip, "", "OVERWRITE", LOCAL);
    expect(over).toMatchObject({ ok: true, result: { succCount: 3, skipCount: 0 } });
    expect(h.module.api.configs.read("", "G", "a.yaml", ANONYMOUS)?.content).toBe("changed");
  });

  test("refusals: unknown namespace, not a zip, bad metadata, nothing importable; bad items are listed", async () => {
    const h = await seeded();
    const t = h.module.api.transfer;
    const ok = writeZip([{ name: "G/x", data: enc.encode("x") }]);
    expect(await t.importZip(ok, "nope", "ABORT", LOCAL)).toMatchObject({ ok: false, failure: "NAMESPACE_NOT_EXIST" });
    expect(await t.importZip(enc.encode("junk"), "", "ABORT", LOCAL)).toMatchObject({ ok: false, failure: "PARSING_DATA_FAILED" });
    const badMeta = writeZip([{ name: ".metadata.yml", data: enc.encode("metadata:\n- dataId: x\n") }, { name: "G/x", data: enc.encode("x") }]);
    expect(await t.importZip(badMeta, "", "ABORT", LOCAL)).toMatchObject({ ok: false, failure: "METADATA_ILLEGAL" });
    const onlyBad = writeZip([{ name: "G/bad id", data: enc.encode("x") }, { name: "G/blank", data: enc.encode(" ") }, { name: "toplevel", data: enc.encode("x") }]);
    expect(await t.importZip(onlyBad, "", "ABORT", LOCAL)).toMatchObject({ ok: false, failure: "DATA_EMPTY" });
    const mixed = writeZip([{ name: "G/good", data: enc.encode("x") }, { name: "G/bad id", data: enc.encode("x") }, { name: "a/b/c", data: enc.encode("x") }]);
    const answer = await t.importZip(mixed, "", "ABORT", LOCAL);
    expect(answer).toMatchObject({ ok: true, result: { succCount: 1 } });
    if (answer.ok) expect(answer.result.unrecognizedData.map((u) => u.itemName)).toEqual(["a/b/c", "G/bad id: invalid dataId : bad id"]);
  });

  test("clone copies configs by id into a namespace under new names", async () => {
    const h = await seeded();
    const id = h.module.api.configs.detail("", "G", "a.yaml")!.id;
    const answer = await h.module.api.transfer.clone("dev", [{ cfgId: id, dataId: "copy.yaml", group: "G2" }], "ABORT", LOCAL);
    expect(answer).toMatchObject({ ok: true, result: { succCount: 1 } });
    expect(h.module.api.configs.detail("dev", "G2", "copy.yaml")).toMatchObject({ content: "a: 1", type: "yaml", appName: "shop" });
    expect(await h.module.api.transfer.clone("dev", [], "ABORT", LOCAL)).toMatchObject({ ok: false, failure: "NO_SELECTED_CONFIG" });
  });
});

describe("namespaces", () => {
  test("create, list with counts, rename, and delete only when empty", async () => {
    const h = makeHarness();
    const ns = h.module.api.namespaces;
    await ns.create("dev", "Dev", "for developers");
    const err = await ns.create("dev", "Again").catch((e: DomainError) => e);
    expect((err as DomainError).nacosCode).toBe(22002);
    expect(((await ns.create("public", "P").catch((e) => e)) as DomainError).nacosCode).toBe(22002);
    await h.module.api.configs.publish({ namespace: "dev", group: "G", dataId: "d", content: "x", ...LOCAL });
    expect(ns.list().map((n) => [n.id, n.name, n.configCount, n.type])).toEqual([
      ["", "public", 0, 0],
      ["dev", "Dev", 1, 2],
    ]);
    await ns.update("dev", "Developers", "renamed");
    expect(ns.get("dev")).toMatchObject({ name: "Developers", desc: "renamed" });
    const refused = await ns.delete("dev").catch((e: DomainError) => e);
    expect((refused as DomainError).kind).toBe("conflict");
    expect((refused as DomainError).message).toBe("namespace dev still holds 1 config; remove them first");
    await h.module.api.configs.remove("dev", "G", "d", LOCAL);
    expect(await ns.delete("dev")).toBe(true);
    expect(ns.list()).toHaveLength(1);
    expect(((await ns.update("dev", "x").catch((e) => e)) as DomainError).nacosCode).toBe(22001);
  });

  test("a blank id gets a generated one", async () => {
    const h = makeHarness();
    const created = await h.module.api.namespaces.create("", "Generated");
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
