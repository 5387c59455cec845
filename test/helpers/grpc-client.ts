// A Nacos 2.x gRPC client for tests, built on @grpc/grpc-js with the official proto loaded by
// @grpc/proto-loader, doing what the Java/Go SDKs do: ServerCheckRequest, open the bi-stream, send
// ConnectionSetupRequest, then unary requests; server requests arriving on the bi-stream are answered
// with a success response carrying their requestId (or as the test decides).
//
//   const c = new NacosGrpcClient("127.0.0.1:9848");
//   await c.connect();                                  // server check + bi-stream + setup, waits until registered
//   const r = await c.request("ConfigQueryRequest", { dataId, group, tenant: "" });
//   expect(r.type).toBe("ConfigQueryResponse"); expect(r.body.resultCode).toBe(200);
//   c.close();
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join, resolve } from "node:path";

export const PROTO_FILE = join(resolve(import.meta.dir, "../.."), "proto/nacos_grpc_service.proto");

export type Json = Record<string, unknown>;

export interface NacosMessage {
  type: string;
  body: Json;
  headers: Record<string, string>;
  clientIp: string;
}

/** Raw Payload as grpc-js (keepCase) sees it. */
export interface WirePayload {
  metadata?: { type?: string; clientIp?: string; headers?: Record<string, string> };
  body?: { type_url?: string; value?: Uint8Array };
}

interface Methods {
  request: grpc.MethodDefinition<WirePayload, WirePayload>;
  biStream: grpc.MethodDefinition<WirePayload, WirePayload>;
}

let methods: Methods | undefined;
function loadMethods(): Methods {
  if (methods) return methods;
  const def = protoLoader.loadSync(PROTO_FILE, { keepCase: true, longs: String, defaults: true, includeDirs: ["/usr/include"] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as Record<string, { service: Record<string, grpc.MethodDefinition<WirePayload, WirePayload>> }>;
  methods = { request: pkg.Request!.service.request!, biStream: pkg.BiRequestStream!.service.requestBiStream! };
  return methods;
}

/** What to answer a server request with: a body (sent as `<Type minus Request>Response`), or "ignore". */
export type ServerRequestReply = Json | "ignore";

export interface NacosGrpcClientOptions {
  clientVersion?: string;
  tenant?: string;
  labels?: Record<string, string>;
  /** Sent as metadata.clientIp. */
  clientIp?: string;
  /** Decides the reply to each server request; default: a success response. */
  onServerRequest?: (request: NacosMessage) => ServerRequestReply;
  /** Extra grpc-js channel options. A private subchannel pool is always used, so each client is its own HTTP/2 connection. */
  channelOptions?: grpc.ChannelOptions;
}

export const encodeJson = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");

export function toWire(type: string, body: Json | Uint8Array, headers: Record<string, string> = {}, clientIp = "127.0.0.1"): WirePayload {
  return { metadata: { type, clientIp, headers }, body: { type_url: "", value: body instanceof Uint8Array ? body : encodeJson(body) } };
}

export function fromWire(p: WirePayload): NacosMessage {
  const raw = p.body?.value ? Buffer.from(p.body.value).toString("utf8") : "";
  return { type: p.metadata?.type ?? "", body: raw ? (JSON.parse(raw) as Json) : {}, headers: p.metadata?.headers ?? {}, clientIp: p.metadata?.clientIp ?? "" };
}

export const successAck = (requestId: unknown): Json => ({ requestId, resultCode: 200, errorCode: 0, success: true });

export class NacosGrpcClient {
  readonly client: grpc.Client;
  readonly serverRequests: NacosMessage[] = [];
  connectionId: string | undefined;
  stream: grpc.ClientDuplexStream<WirePayload, WirePayload> | undefined;
  /** Final status of the bi-stream once it ended. */
  streamStatus: grpc.StatusObject | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly address: string,
    private readonly options: NacosGrpcClientOptions = {},
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      ...options.channelOptions,
    });
  }

  /** ServerCheckRequest; remembers the connection id. */
  async serverCheck(deadlineMs = 5000): Promise<NacosMessage> {
    const r = await this.request("ServerCheckRequest", {}, { deadlineMs });
    if (typeof r.body.connectionId === "string") this.connectionId = r.body.connectionId;
    return r;
  }

  /** One unary Nacos request; rejects with grpc.ServiceError on a transport-level failure. */
  request(type: string, body: Json | Uint8Array = {}, opts: { headers?: Record<string, string>; deadlineMs?: number; clientIp?: string } = {}): Promise<NacosMessage> {
    const payload = toWire(type, body instanceof Uint8Array ? body : { headers: {}, ...body }, opts.headers, opts.clientIp ?? this.options.clientIp);
    return this.requestRaw(payload, opts.deadlineMs).then(fromWire);
  }

  requestRaw(payload: WirePayload, deadlineMs = 10_000): Promise<WirePayload> {
    const m = loadMethods().request;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, payload, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res!),
      );
    });
  }

  /** Opens the bi-stream and sends ConnectionSetupRequest (no reply expected, as in Nacos). */
  openStream(setup: Json = {}): void {
    const m = loadMethods().biStream;
    const stream = this.client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize);
    this.stream = stream;
    stream.on("data", (p: WirePayload) => this.onServerRequest(fromWire(p)));
    stream.on("status", (s: grpc.StatusObject) => {
      this.streamStatus = s;
      this.wake();
    });
    stream.on("error", () => this.wake());
    stream.on("end", () => this.wake());
    const body = {
      clientVersion: this.options.clientVersion ?? "Nacos-Test-Client:v2.0.0",
      tenant: this.options.tenant ?? "",
      labels: this.options.labels ?? { source: "sdk", module: "config", AppName: "grpc-test" },
      abilityTable: null,
      headers: {},
      module: "internal",
      ...setup,
    };
    this.send("ConnectionSetupRequest", body);
  }

  /** Writes one payload on the bi-stream. */
  send(type: string, body: Json): void {
    if (!this.stream) throw new Error("bi-stream not open");
    this.stream.write(toWire(type, body, {}, this.options.clientIp));
  }

  /** Server check, bi-stream, setup; then health checks until the server knows the connection. */
  async connect(timeoutMs = 5000): Promise<this> {
    const check = await this.serverCheck(timeoutMs);
    if (check.body.errorCode !== 0 && check.body.errorCode !== undefined) throw new Error(`server check failed: ${JSON.stringify(check.body)}`);
    this.openStream();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.request("HealthCheckRequest", {}, { deadlineMs: timeoutMs });
      if (r.body.success === true) return this;
      if (Date.now() > deadline) throw new Error(`connection not registered after ${timeoutMs} ms: ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  /** The first server request (seen or future) matching `match`. */
  waitForServerRequest(match: (r: NacosMessage) => boolean, timeoutMs = 5000): Promise<NacosMessage> {
    return this.waitUntil("server request", () => this.serverRequests.find(match), timeoutMs);
  }

  /** Resolves with the bi-stream's final status. */
  waitForStreamEnd(timeoutMs = 5000): Promise<grpc.StatusObject> {
    return this.waitUntil("bi-stream end", () => this.streamStatus, timeoutMs);
  }

  /** Polls `check` (woken by stream activity, else every 25 ms) until it returns a value. */
  async waitUntil<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 25));
        this.waiters.add(done);
      });
    }
  }

  /** Closes the HTTP/2 connection (cancels the bi-stream first, like an SDK shutting down). */
  close(): void {
    this.stream?.cancel();
    this.client.close();
  }

  private onServerRequest(request: NacosMessage): void {
    this.serverRequests.push(request);
    this.wake();
    const reply = this.options.onServerRequest ? this.options.onServerRequest(request) : successAck(request.body.requestId);
    if (reply === "ignore" || !this.stream) return;
    this.send(request.type.replace(/Request$/, "Response"), reply);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
