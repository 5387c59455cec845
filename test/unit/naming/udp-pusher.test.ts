import { afterEach, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { silentLogger } from "../../../src/log.ts";
import { encodePushPacket, UdpPusher } from "../../../src/naming/push/udp-pusher.ts";
import { realTimers } from "../../../src/naming/timers.ts";

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

interface Received {
  type: string;
  data: string;
  lastRefTime: number;
}

/** A 1.x client's push receiver: decodes (gunzip when needed), records, acks like `ack` says. */
async function client(ack: "number" | "string" | "never") {
  const got: { packet: Received; gzipped: boolean }[] = [];
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(sock, data, port, address) {
        const gzipped = data[0] === 0x1f && data[1] === 0x8b;
        const packet = JSON.parse((gzipped ? gunzipSync(data) : data).toString()) as Received;
        got.push({ packet, gzipped });
        if (ack === "never") return;
        const lastRefTime = ack === "string" ? String(packet.lastRefTime) : packet.lastRefTime;
        sock.send(JSON.stringify({ type: "push-ack", lastRefTime, data: "" }), port, address);
      },
    },
  });
  closers.push(() => socket.close());
  return { port: socket.port, got };
}

async function pusher(ackTimeoutMs = 200, retries = 2) {
  const p = new UdpPusher(realTimers(), { ackTimeoutMs, retries }, silentLogger);
  await p.start("127.0.0.1");
  closers.push(() => p.stop());
  return p;
}

test("a push carries type dom, the ServiceInfo JSON as a string and an id; the ack resolves it", async () => {
  const c = await client("number");
  const p = await pusher();
  await p.push("127.0.0.1", c.port, '{"name":"DEFAULT_GROUP@@orders","hosts":[]}');
  expect(c.got).toHaveLength(1);
  expect(c.got[0]!.gzipped).toBe(false);
  expect(c.got[0]!.packet.type).toBe("dom");
  expect(JSON.parse(c.got[0]!.packet.data)).toEqual({ name: "DEFAULT_GROUP@@orders", hosts: [] });
  expect(Number.isSafeInteger(c.got[0]!.packet.lastRefTime)).toBe(true);
  expect(p.stats()).toEqual({ sent: 1, acked: 1, timedOut: 0 });
});

test("1 KB and more is gzipped; Java-style acks (lastRefTime as a string) count too", async () => {
  const c = await client("string");
  const p = await pusher();
  const big = JSON.stringify({ hosts: Array.from({ length: 40 }, (_, i) => ({ ip: `10.0.0.${i}`, port: 8080, metadata: { zone: "eu-1" } })) });
  await p.push("127.0.0.1", c.port, big);
  expect(c.got[0]!.gzipped).toBe(true);
  expect(c.got[0]!.packet.data).toBe(big);
  expect(encodePushPacket("{}", 1).byteLength).toBeLessThan(1024);
});

test("without an ack the datagram is sent again, then the push fails", async () => {
  const c = await client("never");
  const p = await pusher(50, 2);
  await expect(p.push("127.0.0.1", c.port, "{}")).rejects.toThrow(/no push-ack .* after 3 datagrams/);
  expect(c.got).toHaveLength(3);
  expect(new Set(c.got.map((g) => g.packet.lastRefTime)).size).toBe(1);
  expect(p.stats()).toMatchObject({ sent: 3, timedOut: 1 });
});

test("ids keep increasing within one millisecond", async () => {
  const c = await client("number");
  const p = await pusher();
  await Promise.all(Array.from({ length: 20 }, () => p.push("127.0.0.1", c.port, "{}")));
  const ids = c.got.map((g) => g.packet.lastRefTime);
  expect(new Set(ids).size).toBe(20);
});
