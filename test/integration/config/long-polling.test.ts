// HTTP long-polling against the real server: immediate answers, held polls answered by a change, many
// listeners of one key all answered, the hold time, and gray-aware answers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";
import { listening, longPoll, md5, publishV1 } from "./support.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.kill();
});

/** Resolves "held" if the request has not answered within `ms`. */
async function heldFor<T>(p: Promise<T>, ms: number): Promise<T | "held"> {
  return Promise.race([p, Bun.sleep(ms).then(() => "held" as const)]);
}

describe("long-polling", () => {
  test("a stale md5 is answered at once with the URL-encoded key", async () => {
    await publishV1(server, "lp-stale", "v1");
    const res = await longPoll(server, listening([{ dataId: "lp-stale", md5: "old" }]));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("lp-stale%02DEFAULT_GROUP%01\n");
  });

  test("a tenant-qualified key is answered with its tenant", async () => {
    await publishV1(server, "lp-tenant", "v1", { tenant: "dev" });
    const res = await longPoll(server, listening([{ dataId: "lp-tenant", md5: "old", tenant: "dev" }]));
    expect(await res.text()).toBe("lp-tenant%02DEFAULT_GROUP%02dev%01\n");
  });

  test("a current md5 is held until the config changes", async () => {
    await publishV1(server, "lp-held", "v1");
    const poll = longPoll(server, listening([{ dataId: "lp-held", md5: md5("v1") }, { dataId: "lp-other", md5: "" }]));
    expect(await heldFor(poll, 300)).toBe("held");
    const started = performance.now();
    await publishV1(server, "lp-held", "v2");
    const res = await poll;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await res.text()).toBe("lp-held%02DEFAULT_GROUP%01\n");
  });

  test("a config created while polled with an empty md5 answers the poll", async () => {
    const poll = longPoll(server, listening([{ dataId: "lp-created", md5: "" }]));
    expect(await heldFor(poll, 200)).toBe("held");
    await publishV1(server, "lp-created", "new");
    expect(await (await poll).text()).toBe("lp-created%02DEFAULT_GROUP%01\n");
  });

  test("no-hang-up and short polling answer at once with nothing changed", async () => {
    await publishV1(server, "lp-nohang", "v1");
    const probe = listening([{ dataId: "lp-nohang", md5: md5("v1") }]);
    const noHangUp = await longPoll(server, probe, { "Long-Pulling-Timeout": "30000", "Long-Pulling-Timeout-No-Hangup": "true" });
    expect(await noHangUp.text()).toBe("");
    const short = await longPoll(server, probe, {});
    expect(await short.text()).toBe("");
  });

  // Bun's fetch keeps at most 256 connections to one host, so 200 held polls leave room for the publish.
  test("200 held polls on one key are all answered by one change", async () => {
    await publishV1(server, "lp-many", "v1");
    const probe = listening([{ dataId: "lp-many", md5: md5("v1") }]);
    const polls = Array.from({ length: 200 }, () => longPoll(server, probe));
    expect(await heldFor(Promise.race(polls), 500)).toBe("held");
    await publishV1(server, "lp-many", "v2");
    const bodies = await Promise.all(polls.map(async (p) => (await p).text()));
    expect(bodies.every((b) => b === "lp-many%02DEFAULT_GROUP%01\n")).toBe(true);
  }, 15_000);

  test("a burst of changes: whatever a poller sees, its next poll with the md5 it read is current", async () => {
    await publishV1(server, "lp-burst", "v0");
    const poll = longPoll(server, listening([{ dataId: "lp-burst", md5: md5("v0") }]));
    await Bun.sleep(100);
    await Promise.all(Array.from({ length: 20 }, (_, i) => publishV1(server, "lp-burst", `v${i + 1}`)));
    expect(await (await poll).text()).toBe("lp-burst%02DEFAULT_GROUP%01\n");
    const latest = await (await fetch(`${server.url}/nacos/v1/cs/configs?dataId=lp-burst&group=DEFAULT_GROUP`)).text();
    const next = longPoll(server, listening([{ dataId: "lp-burst", md5: md5(latest) }]));
    expect(await heldFor(next, 300)).toBe("held");
    await publishV1(server, "lp-burst", "final");
    expect(await (await next).text()).toBe("lp-burst%02DEFAULT_GROUP%01\n");
  });

  test("a beta answers the beta client's poll and holds everyone else's", async () => {
    await publishV1(server, "lp-beta", "formal");
    const probe = listening([{ dataId: "lp-beta", md5: md5("formal") }]);
    const betaPoll = longPoll(server, probe, { "Long-Pulling-Timeout": "30000", "X-Forwarded-For": "10.9.9.9" });
    const otherPoll = longPoll(server, probe, { "Long-Pulling-Timeout": "30000", "X-Forwarded-For": "10.9.9.8" });
    await Bun.sleep(100);
    await publishV1(server, "lp-beta", "beta", {}, { betaIps: "10.9.9.9" });
    expect(await (await betaPoll).text()).toBe("lp-beta%02DEFAULT_GROUP%01\n");
    expect(await heldFor(otherPoll, 300)).toBe("held");
  });

  test("a poller that disconnects is forgotten at once", async () => {
    await publishV1(server, "lp-gone", "v1");
    const status = async () =>
      Object.keys(((await (await fetch(`${server.url}/nacos/v1/cs/configs/listener?dataId=lp-gone&group=DEFAULT_GROUP`)).json()) as { lisentersGroupkeyStatus: object }).lisentersGroupkeyStatus)
        .length;
    const abort = new AbortController();
    const poll = longPoll(server, listening([{ dataId: "lp-gone", md5: md5("v1") }]), { "Long-Pulling-Timeout": "30000" }, abort.signal).catch(() => "aborted");
    await waitFor("the poll to be held", async () => ((await status()) === 1 ? true : undefined));
    abort.abort();
    expect(await poll).toBe("aborted");
    await waitFor("the held poll to be dropped", async () => ((await status()) === 0 ? true : undefined));
  });

  test("with nothing changing, a poll is held for its timeout minus 500 ms (10 s clamps to 9.5 s)", async () => {
    await publishV1(server, "lp-timeout", "v1");
    const started = performance.now();
    const res = await longPoll(server, listening([{ dataId: "lp-timeout", md5: md5("v1") }]), { "Long-Pulling-Timeout": "10000" });
    const held = performance.now() - started;
    expect(await res.text()).toBe("");
    expect(held).toBeGreaterThanOrEqual(9_400);
    expect(held).toBeLessThan(10_000);
  }, 20_000);
});
