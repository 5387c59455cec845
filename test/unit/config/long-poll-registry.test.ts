import { describe, expect, test } from "bun:test";
import { holdTimeFor, type ListenedKey } from "../../../src/config/listen/long-poll-registry.ts";
import { formatChangedKeys, parseListeningConfigs } from "../../../src/config/listen/listening-configs.ts";
import { keyStringOf } from "../../../src/config/model/config-key.ts";
import { md5Hex } from "../../../src/config/model/md5.ts";
import { DomainError } from "../../../src/errors.ts";
import { LOCAL, makeHarness } from "./harness.ts";

const listened = (dataId: string, md5: string, tenant = ""): ListenedKey => ({ key: keyStringOf(tenant === "public" ? "" : tenant, "G", dataId), dataId, group: "G", tenant, md5 });
const client = { ip: "10.1.1.1", tag: "" };
const HOLD = { holdMs: 29_500, noHangUp: false };

/** Resolves to the poll's answer, or "pending" if it has not answered (after pending microtasks ran). */
async function state<T>(p: T[] | Promise<T[]>): Promise<T[] | "pending"> {
  if (Array.isArray(p)) return p;
  return Promise.race([p, Bun.sleep(0).then(() => "pending" as const)]);
}

describe("the Listening-Configs format", () => {
  test("parses keys with and without tenant, and formats the changed ones URL-encoded", () => {
    const keys = parseListeningConfigs("a\u0002G\u0002m1\u0001b\u0002G\u0002m2\u0002dev\u0001");
    expect(keys.map((k) => [k.dataId, k.group, k.md5, k.tenant])).toEqual([
      ["a", "G", "m1", ""],
      ["b", "G", "m2", "dev"],
    ]);
    expect(formatChangedKeys(keys)).toBe("a%02G%01b%02G%02dev%01\n");
    expect(formatChangedKeys([])).toBe("");
  });

  test("malformed input is refused", () => {
    expect(() => parseListeningConfigs("a\u0002G\u0001")).toThrow(DomainError);
    expect(() => parseListeningConfigs("a\u0002b\u0002c\u0002d\u0002e\u0001")).toThrow("invalid probeModify");
  });

  test("the hold time is the client's, clamped to 10..120 s, minus 500 ms", () => {
    expect(holdTimeFor(30_000)).toBe(29_500);
    expect(holdTimeFor(1_000)).toBe(9_500);
    expect(holdTimeFor(600_000)).toBe(119_500);
    expect(holdTimeFor(Number.NaN)).toBe(29_500);
  });
});

describe("long-polling", () => {
  test("a stale md5 is answered at once; a current one is held", async () => {
    const h = makeHarness();
    await h.module.api.configs.publish({ namespace: "", group: "G", dataId: "a", content: "v1", ...LOCAL });
    const polls = h.module.api.longPolls;
    expect(await state(polls.poll([listened("a", "stale")], client, HOLD))).toEqual([listened("a", "stale")]);
    expect(await state(polls.poll([listened("a", md5Hex("v1"))], client, HOLD))).toBe("pending");
    expect(polls.size).toBe(1);
  });

  test("a config that does not exist is current for an empty md5 and changed for any other", async () => {
    const h = makeHarness();
    const polls = h.module.api.longPolls;
    expect(await state(polls.poll([listened("none", "")], client, HOLD))).toBe("pending");
    expect(await state(polls.poll([listened("none", "abc")], client, HOLD))).toHaveLength(1);
  });

  test("one change answers every held poll of that key, and only those", async () => {
    const h = makeHarness();
    const c = h.module.api.configs;
    await c.publish({ namespace: "", group: "G", dataId: "a", content: "v1", ...LOCAL });
    await c.publish({ namespace: "", group: "G", dataId: "b", content: "b", ...LOCAL });
    const polls = h.module.api.longPolls;
    const onA = Array.from({ length: 1000 }, () => polls.poll([listened("a", md5Hex("v1")), listened("b", md5Hex("b"))], client, HOLD) as Promise<ListenedKey[]>);
    const onB = polls.poll([listened("b", md5Hex("b"))], client, HOLD);
    await c.publish({ namespace: "", group: "G", dataId: "a", content: "v2", ...LOCAL });
    const answers = await Promise.all(onA);
    expect(answers.every((a) => a.length === 1 && a[0]!.dataId === "a")).toBe(true);
    expect(await state(onB)).toBe("pending");
    expect(polls.size).toBe(1);
    expect(polls.listenersOf(keyStringOf("", "G", "a"))).toBe(0);
  });

  test("a timeout answers with no change after the hold time", async () => {
    const h = makeHarness();
    const polls = h.module.api.longPolls;
    const p = polls.poll([listened("a", "")], client, { holdMs: 9_500, noHangUp: false });
    h.timers.advance(9_499);
    expect(await state(p)).toBe("pending");
    h.timers.advance(1);
    expect(await state(p)).toEqual([]);
    expect(polls.size).toBe(0);
  });

  test("a client that goes away ends its hold at once", async () => {
    const h = makeHarness();
    const polls = h.module.api.longPolls;
    const abort = new AbortController();
    const p = polls.poll([listened("a", "")], client, HOLD, abort.signal);
    expect(polls.size).toBe(1);
    abort.abort();
    expect(await state(p)).toEqual([]);
    expect(polls.size).toBe(0);
    expect(h.timers.count).toBe(0);
  });

  test("no-hang-up answers at once even when nothing changed", async () => {
    const h = makeHarness();
    expect(await state(h.module.api.longPolls.poll([listened("a", "")], client, { holdMs: 29_500, noHangUp: true }))).toEqual([]);
  });

  test("a publish with the same content does not answer held polls", async () => {
    const h = makeHarness();
    const c = h.module.api.configs;
    await c.publish({ namespace: "", group: "G", dataId: "a", content: "v1", ...LOCAL });
    const p = h.module.api.longPolls.poll([listened("a", md5Hex("v1"))], client, HOLD);
    await c.publish({ namespace: "", group: "G", dataId: "a", content: "v1", ...LOCAL });
    expect(await state(p)).toBe("pending");
  });

  test("a beta answers only the polls of beta clients", async () => {
    const h = makeHarness();
    const c = h.module.api.configs;
    await c.publish({ namespace: "", group: "G", dataId: "a", content: "v1", ...LOCAL });
    const beta = h.module.api.longPolls.poll([listened("a", md5Hex("v1"))], { ip: "10.0.0.7", tag: "" }, HOLD);
    const other = h.module.api.longPolls.poll([listened("a", md5Hex("v1"))], { ip: "10.0.0.8", tag: "" }, HOLD);
    await c.publish({ namespace: "", group: "G", dataId: "a", content: "beta", betaIps: "10.0.0.7", ...LOCAL });
    expect(await state(beta)).toHaveLength(1);
    expect(await state(other)).toBe("pending");
  });

  test("draining answers every held poll with no change, and later polls at once", async () => {
    const h = makeHarness();
    const polls = h.module.api.longPolls;
    const held = [polls.poll([listened("a", "")], client, HOLD), polls.poll([listened("b", "")], client, HOLD)];
    await h.module.drain!();
    expect(await Promise.all(held)).toEqual([[], []]);
    expect(await state(polls.poll([listened("c", "")], client, HOLD))).toEqual([]);
    expect(h.timers.count).toBe(0);
  });
});
