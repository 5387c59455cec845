// A lean Nacos gRPC client for naming load: raw HTTP/2 (node:http2) with hand-encoded Payload frames, so
// the load generator costs little next to the server it measures. A connection does what an SDK
// does first (ServerCheckRequest, bi-stream, ConnectionSetupRequest, health checks until
// registered), answers every server push with success, then sends unary requests.
import http2, { type ClientHttp2Session } from "node:http2";

export type Json = Record<string, unknown>;

const enc = new TextEncoder();

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function field(no: number, bytes: ArrayLike<number>): number[] {
  return [...varint((no << 3) | 2), ...varint(bytes.length), ...Array.from(bytes)];
}

/** Payload { metadata { type = 3, clientIp = 8 }, body: Any { value = 2 } } in a gRPC frame. */
export function frame(type: string, body: Json): Uint8Array {
  const metadata = [...field(3, enc.encode(type)), ...field(8, enc.encode("127.0.0.1"))];
  const any = field(2, enc.encode(JSON.stringify({ headers: {}, ...body })));
  const msg = Uint8Array.from([...field(2, metadata), ...field(3, any)]);
  const out = new Uint8Array(5 + msg.length);
  new DataView(out.buffer).setUint32(1, msg.length);
  out.set(msg, 5);
  return out;
}

/** The JSON inside a Payload message (the Any value is its last bytes). */
function jsonOf(buf: Uint8Array): Json {
  const text = Buffer.from(buf).toString("utf8");
  const start = text.indexOf("{");
  return start < 0 ? {} : (JSON.parse(text.slice(start, text.lastIndexOf("}") + 1)) as Json);
}

function typeOf(buf: Uint8Array): string {
  return /[A-Z][A-Za-z]+Request/.exec(Buffer.from(buf).toString("latin1"))?.[0] ?? "";
}

const headers = (path: string) => ({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });

function unary(session: ClientHttp2Session, type: string, body: Json): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers("/Request/request"));
    const chunks: Buffer[] = [];
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("error", reject);
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.end(frame(type, body));
  });
}

export interface LoadConnection {
  request(type: string, body: Json): Promise<Json>;
  close(): void;
}

/** Opens a registered Nacos connection; `onPush(type, body)` sees each server request before it is acked. */
export async function connectNacos(address: string, onPush: (type: string, body: Json) => void = () => {}): Promise<LoadConnection> {
  const session = http2.connect(`http://${address}`);
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  session.on("error", () => {});
  await unary(session, "ServerCheckRequest", {});
  const bi = session.request(headers("/BiRequestStream/requestBiStream"));
  let pending = Buffer.alloc(0);
  bi.on("data", (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 5) {
      const len = pending.readUInt32BE(1);
      if (pending.length < 5 + len) break;
      const msg = pending.subarray(5, 5 + len);
      pending = pending.subarray(5 + len);
      const type = typeOf(msg);
      const body = jsonOf(msg);
      onPush(type, body);
      bi.write(frame(type.replace(/Request$/, "Response"), { requestId: body.requestId, resultCode: 200, errorCode: 0, success: true }));
    }
  });
  bi.on("error", () => {});
  bi.write(frame("ConnectionSetupRequest", { clientVersion: "Nacos-Bench-Client:v2.3.2", tenant: "", labels: { source: "sdk", module: "naming" }, module: "internal" }));
  for (;;) {
    if (jsonOf(await unary(session, "HealthCheckRequest", {})).success === true) break;
    await Bun.sleep(5);
  }
  return {
    request: async (type, body) => jsonOf(await unary(session, type, body)),
    close: () => {
      bi.close();
      session.close();
    },
  };
}

/** Sends `total` requests made by `make(i)` over the connections, `inflight` at a time on each. */
export async function runLoad(conns: LoadConnection[], inflight: number, total: number, make: (i: number) => { type: string; body: Json }) {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const loop = async (c: LoadConnection) => {
    while (next < total) {
      const { type, body } = make(next++);
      const r = await c.request(type, body);
      if (r.resultCode === 200) ok++;
      else failed++;
    }
  };
  await Promise.all(conns.flatMap((c) => Array.from({ length: inflight }, () => loop(c))));
  const seconds = (performance.now() - started) / 1000;
  return { ok, failed, seconds, perSecond: ok / seconds };
}

/** CPU seconds (user + system) a process has used, from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = (await Bun.file(`/proc/${pid}/stat`).text()).split(") ")[1]!.split(" ");
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

/** Requests the load processes know how to make, by name (a child process cannot receive a function). */
export const REQUEST_MAKERS: Record<string, (i: number) => { type: string; body: Json }> = {
  registerInstance: (i) => ({
    type: "InstanceRequest",
    body: {
      namespace: "public",
      serviceName: `bench-reg-${i % 1000}`,
      groupName: "DEFAULT_GROUP",
      type: "registerInstance",
      instance: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8080, weight: 1, healthy: true, enabled: true, ephemeral: true, clusterName: "DEFAULT", metadata: { zone: "eu-west-1a" } },
      module: "naming",
    },
  }),
};

export interface LoadPlan {
  address: string;
  connections: number;
  inflight: number;
  total: number;
  /** Added to the request index, so processes do not repeat each other's requests. */
  offset: number;
  maker: keyof typeof REQUEST_MAKERS;
}

/** Runs `plan` in `processes` separate Bun processes (so the load is not one event loop) and sums them. */
export async function runLoadProcesses(plan: LoadPlan, processes: number) {
  const children = Array.from({ length: processes }, (_, p) =>
    Bun.spawn([process.execPath, import.meta.path, JSON.stringify({ ...plan, offset: plan.offset + p * plan.total })], { stdout: "pipe", stderr: "inherit" }),
  );
  const results = await Promise.all(
    children.map(async (c) => {
      const out = await new Response(c.stdout).text();
      if ((await c.exited) !== 0) throw new Error(`load process failed: ${out}`);
      return JSON.parse(out.trim().split("\n").pop()!) as { ok: number; failed: number; seconds: number; started: number; ended: number };
    }),
  );
  const started = Math.min(...results.map((r) => r.started));
  const ended = Math.max(...results.map((r) => r.ended));
  const ok = results.reduce((n, r) => n + r.ok, 0);
  return { ok, failed: results.reduce((n, r) => n + r.failed, 0), seconds: (ended - started) / 1000, perSecond: ok / ((ended - started) / 1000) };
}

if (import.meta.main && process.argv[2]) {
  const plan = JSON.parse(process.argv[2]) as LoadPlan;
  const make = REQUEST_MAKERS[plan.maker]!;
  const conns = await Promise.all(Array.from({ length: plan.connections }, () => connectNacos(plan.address)));
  await runLoad(conns, plan.inflight, Math.min(5000, plan.total), (i) => make(i + plan.offset + 10_000_000)); // warm-up
  const started = Date.now();
  const r = await runLoad(conns, plan.inflight, plan.total, (i) => make(i + plan.offset));
  console.log(JSON.stringify({ ...r, started, ended: Date.now() }));
  for (const c of conns) c.close();
  process.exit(0);
}
