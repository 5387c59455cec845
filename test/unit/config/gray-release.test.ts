import { describe, expect, test } from "bun:test";
import { ANONYMOUS } from "../../../src/config/gray/gray-match.ts";
import { DomainError } from "../../../src/errors.ts";
import { LOCAL, makeHarness } from "./harness.ts";

const K = { namespace: "", group: "G", dataId: "svc.properties" };
const BETA_CLIENT = { ip: "10.0.0.7", tag: "" };

async function setup() {
  const h = makeHarness();
  const c = h.module.api.configs;
  await c.publish({ ...K, content: "formal", type: "properties", ...LOCAL });
  return { h, c };
}

describe("beta by client IP", () => {
  test("beta IPs read the beta content, everyone else the formal one", async () => {
    const { c } = await setup();
    await c.publish({ ...K, content: "beta", betaIps: "10.0.0.7,10.0.0.8", ...LOCAL });
    expect(c.read("", "G", "svc.properties", BETA_CLIENT)).toMatchObject({ content: "beta", beta: true, type: "properties" });
    expect(c.read("", "G", "svc.properties", { ip: "10.0.0.8", tag: "" })?.content).toBe("beta");
    expect(c.read("", "G", "svc.properties", { ip: "10.0.0.9", tag: "" })).toMatchObject({ content: "formal", beta: false });
    expect(c.beta("", "G", "svc.properties")?.expr).toBe("10.0.0.7,10.0.0.8");
  });

  test("stopping the beta sends beta clients back to the formal content", async () => {
    const { c } = await setup();
    await c.publish({ ...K, content: "beta", betaIps: "10.0.0.7", ...LOCAL });
    expect(await c.stopBeta("", "G", "svc.properties", LOCAL)).toBe(true);
    expect(c.read("", "G", "svc.properties", BETA_CLIENT)?.content).toBe("formal");
    expect(await c.stopBeta("", "G", "svc.properties", LOCAL)).toBe(false);
  });

  test("promoting the beta makes its content formal for everyone and ends the beta", async () => {
    const { c } = await setup();
    await c.publish({ ...K, content: "beta", betaIps: "10.0.0.7", ...LOCAL });
    await c.promoteBeta("", "G", "svc.properties", LOCAL);
    expect(c.read("", "G", "svc.properties", ANONYMOUS)?.content).toBe("beta");
    expect(c.beta("", "G", "svc.properties")).toBeUndefined();
    expect(c.detail("", "G", "svc.properties")?.type).toBe("properties");
    const err = await c.promoteBeta("", "G", "svc.properties", LOCAL).catch((e: DomainError) => e);
    expect((err as DomainError).kind).toBe("not_found");
  });

  test("gray publishes and stops are in the history as gray rows", async () => {
    const { h, c } = await setup();
    await c.publish({ ...K, content: "beta1", betaIps: "10.0.0.7", ...LOCAL });
    await c.publish({ ...K, content: "beta2", betaIps: "10.0.0.7", ...LOCAL });
    await c.stopBeta("", "G", "svc.properties", LOCAL);
    const rows = h.module.api.history.list("", "G", "svc.properties", 1, 10).pageItems;
    expect(rows.map((r) => [r.publishType, r.grayName, r.opType, r.content])).toEqual([
      ["gray", "beta", "D", "beta2"],
      ["gray", "beta", "U", "beta1"],
      ["gray", "beta", "I", "beta1"],
      ["formal", "", "I", "formal"],
    ]);
    expect(JSON.parse(rows[0]!.extInfo)).toMatchObject({ gray_rule: "10.0.0.7" });
  });

  test("removing the config removes its beta too", async () => {
    const { c } = await setup();
    await c.publish({ ...K, content: "beta", betaIps: "10.0.0.7", ...LOCAL });
    await c.remove("", "G", "svc.properties", LOCAL);
    expect(c.read("", "G", "svc.properties", BETA_CLIENT)).toBeUndefined();
    expect(c.beta("", "G", "svc.properties")).toBeUndefined();
  });
});

describe("tag versions", () => {
  test("a client sending a tag reads that tag's version; an unknown tag reads nothing", async () => {
    const { c } = await setup();
    await c.publish({ ...K, content: "canary", tag: "canary", ...LOCAL });
    expect(c.read("", "G", "svc.properties", { ip: "", tag: "canary" })).toMatchObject({ content: "canary", tag: "canary", beta: false });
    expect(c.read("", "G", "svc.properties", ANONYMOUS)?.content).toBe("formal");
    expect(c.read("", "G", "svc.properties", { ip: "", tag: "other" })).toBeUndefined();
  });

  test("beta outranks a tag; deleting with a tag removes only that tag version", async () => {
    const { c } = await setup();
    await c.publish({ ...K, content: "canary", tag: "canary", ...LOCAL });
    await c.publish({ ...K, content: "beta", betaIps: "10.0.0.7", ...LOCAL });
    expect(c.read("", "G", "svc.properties", { ip: "10.0.0.7", tag: "canary" })?.content).toBe("beta");
    await c.remove("", "G", "svc.properties", { ...LOCAL, tag: "canary" });
    expect(c.read("", "G", "svc.properties", { ip: "", tag: "canary" })).toBeUndefined();
    expect(c.read("", "G", "svc.properties", ANONYMOUS)?.content).toBe("formal");
  });
});
