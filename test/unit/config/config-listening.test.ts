import { describe, expect, test } from "bun:test";
import { ChangePusher } from "../../../src/config/listen/change-pusher.ts";
import { FuzzyWatchRegistry } from "../../../src/config/listen/fuzzy-watch.ts";
import { keyStringOf } from "../../../src/config/model/config-key.ts";
import { md5Hex } from "../../../src/config/model/md5.ts";
import { DomainError } from "../../../src/errors.ts";
import { LOCAL, makeHarness, quietLog } from "./harness.ts";

async function setup() {
  const h = makeHarness();
  const pushed: { connectionId: string; type: string; body: Record<string, unknown> }[] = [];
  const push = async (connectionId: string, type: string, body: Record<string, unknown>) => {
    pushed.push({ connectionId, type, body });
    return {};
  };
  h.module.fanout.attachGrpc(new ChangePusher(push, quietLog()), new FuzzyWatchRegistry(h.module.api.configs.index, push, quietLog()));
  await h.module.api.configs.publish({ namespace: "", group: "G", dataId: "a", content: "v1", ...LOCAL });
  return { h, pushed, listening: h.module.api.listening };
}

describe("gRPC listening", () => {
  test("listen reports the keys whose md5 is stale for that client, and registers all of them", async () => {
    const { listening, h } = await setup();
    const stale = listening.listen("c1", [
      { dataId: "a", group: "G", tenant: "", md5: md5Hex("v1") },
      { dataId: "a", group: "G", tenant: "dev", md5: "" },
      { dataId: "b", group: "G", tenant: "", md5: "x" },
    ], { ip: "10.0.0.1", tag: "" });
    expect(stale.map((s) => s.dataId)).toEqual(["b"]);
    expect(h.module.listeners.keysOf("c1")?.size).toBe(3);
  });

  test("a change is pushed to every listening connection with the tenant it used; unlisten stops it", async () => {
    const { listening, h, pushed } = await setup();
    listening.listen("c1", [{ dataId: "a", group: "G", tenant: "", md5: md5Hex("v1") }], { ip: "10.0.0.1", tag: "" });
    listening.listen("c2", [{ dataId: "a", group: "G", tenant: "public", md5: md5Hex("v1") }], { ip: "10.0.0.2", tag: "" });
    await h.module.api.configs.publish({ namespace: "", group: "G", dataId: "a", content: "v2", ...LOCAL });
    await Bun.sleep(0);
    expect(pushed.map((p) => [p.connectionId, p.type, p.body.tenant])).toEqual([
      ["c1", "ConfigChangeNotifyRequest", undefined],
      ["c2", "ConfigChangeNotifyRequest", "public"],
    ]);
    listening.unlisten("c1", [{ dataId: "a", group: "G", tenant: "", md5: "" }]);
    await h.module.api.configs.publish({ namespace: "", group: "G", dataId: "a", content: "v3", ...LOCAL });
    await Bun.sleep(0);
    expect(pushed.slice(2).map((p) => p.connectionId)).toEqual(["c2"]);
  });

  test("the listener status shows gRPC listeners and held long-polls by IP with their md5", async () => {
    const { listening, h } = await setup();
    listening.listen("c1", [{ dataId: "a", group: "G", tenant: "", md5: "m1" }], { ip: "10.0.0.1", tag: "" });
    void h.module.api.longPolls.poll([{ key: keyStringOf("", "G", "a"), dataId: "a", group: "G", tenant: "", md5: md5Hex("v1") }], { ip: "10.0.0.2", tag: "" }, { holdMs: 10_000, noHangUp: false });
    expect(listening.status("", "G", "a")).toEqual({ "10.0.0.1": "m1", "10.0.0.2": md5Hex("v1") });
    h.module.listeners.dropConnection("c1");
    expect(listening.status("public", "G", "a")).toEqual({ "10.0.0.2": md5Hex("v1") });
  });

  test("bad keys are refused before anything is registered", async () => {
    const { listening, h } = await setup();
    expect(() => listening.listen("c1", [{ dataId: "ok", group: "G", tenant: "", md5: "" }, { dataId: "bad id", group: "G", tenant: "", md5: "" }], { ip: "", tag: "" })).toThrow(DomainError);
    expect(h.module.listeners.keysOf("c1")).toBeUndefined();
  });
});
