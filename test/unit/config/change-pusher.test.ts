import { describe, expect, test } from "bun:test";
import { ChangePusher } from "../../../src/config/listen/change-pusher.ts";
import { ConnectionListeners } from "../../../src/config/listen/connection-listeners.ts";
import { quietLog } from "./harness.ts";

/** A push function whose acks the test releases one by one. */
function controlledPush() {
  const sent: { connectionId: string; body: Record<string, unknown>; ack: () => void; fail: (err: unknown) => void }[] = [];
  const push = (connectionId: string, _type: string, body: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => sent.push({ connectionId, body, ack: () => resolve({}), fail: reject }));
  return { sent, push };
}

const flush = () => Bun.sleep(0);

describe("coalesced change pushes", () => {
  test("a burst on one key while a push is in flight ends with exactly one more push, after the last change", async () => {
    const { sent, push } = controlledPush();
    const pusher = new ChangePusher(push, quietLog());
    pusher.notify("c1", "k", { dataId: "d", version: 0 });
    expect(sent).toHaveLength(1);
    for (let v = 1; v <= 100; v++) pusher.notify("c1", "k", { dataId: "d", version: v });
    expect(sent).toHaveLength(1); // still one in flight
    sent[0]!.ack();
    await flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.version).toBe(100);
    sent[1]!.ack();
    await flush();
    expect(sent).toHaveLength(2);
    expect(pusher.delivered).toBe(2);
  });

  test("keys of one connection go out one at a time, in change order; connections are independent", async () => {
    const { sent, push } = controlledPush();
    const pusher = new ChangePusher(push, quietLog());
    pusher.notify("c1", "a", { dataId: "a" });
    pusher.notify("c1", "b", { dataId: "b" });
    pusher.notify("c2", "a", { dataId: "a" });
    expect(sent.map((s) => `${s.connectionId}:${s.body.dataId}`)).toEqual(["c1:a", "c2:a"]);
    sent[0]!.ack();
    await flush();
    expect(sent.map((s) => `${s.connectionId}:${s.body.dataId}`)).toEqual(["c1:a", "c2:a", "c1:b"]);
  });

  test("a connection that is gone stops its queue; other failures move on to the next key", async () => {
    const { sent, push } = controlledPush();
    const pusher = new ChangePusher(push, quietLog());
    pusher.notify("gone", "a", {});
    pusher.notify("gone", "b", {});
    sent[0]!.fail(Object.assign(new Error("closed"), { reason: "closed" }));
    await flush();
    expect(sent).toHaveLength(1);
    pusher.notify("slow", "a", {});
    pusher.notify("slow", "b", {});
    sent[1]!.fail(Object.assign(new Error("timeout"), { reason: "timeout" }));
    await flush();
    expect(sent).toHaveLength(3);
  });
});

describe("connection listeners", () => {
  test("listen, unlisten and dropping a connection keep both directions in step", () => {
    const l = new ConnectionListeners();
    l.listen("c1", "k1", { dataId: "a", group: "G", tenant: "", md5: "", clientIp: "" });
    l.listen("c1", "k2", { dataId: "b", group: "G", tenant: "", md5: "", clientIp: "" });
    l.listen("c2", "k1", { dataId: "a", group: "G", tenant: "public", md5: "", clientIp: "" });
    expect([...l.listenersOf("k1")!.keys()]).toEqual(["c1", "c2"]);
    l.unlisten("c1", "k1");
    expect([...l.listenersOf("k1")!.keys()]).toEqual(["c2"]);
    l.dropConnection("c1");
    expect(l.listenersOf("k2")).toBeUndefined();
    expect(l.keysOf("c1")).toBeUndefined();
    expect(l.connectionCount).toBe(1);
    l.dropConnection("c2");
    expect(l.keyCount).toBe(0);
  });
});
