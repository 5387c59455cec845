// Server-to-client requests over a connection's bi-stream, each answered by the client with a response
// carrying the same requestId (Nacos RpcAckCallbackSynchronizer). One PushChannel per connection:
//   - push():    ordered. One push is in flight at a time; the next is written after the previous one
//                was acknowledged or failed, so a client sees pushes in the order they were made.
//   - request(): unordered, for control requests (ClientDetectionRequest, ConnectResetRequest) that must
//                not wait behind a slow push.
// Both are bounded: the queue holds at most `maxQueued` pushes and `maxQueuedBytes` bytes, beyond that
// push() rejects at once (PushError "queue_full"); writes wait for HTTP/2 flow control, and a retry is
// not written while the previous copy is still waiting for the window.
import type { Payload } from "./generated/nacos_grpc_service.ts";
import { BufferFullError, StreamClosedError } from "./method.ts";
import { makePayload, type JsonObject } from "./payload.ts";
import { isSuccessResponse } from "./response.ts";

export type PushFailure =
  | "not_connected" // no such connection
  | "queue_full" // too many pushes waiting for this connection
  | "buffer_full" // the connection's send buffer is full (client not reading)
  | "timeout" // no ack after every attempt
  | "rejected" // the client answered with a failure response
  | "closed"; // the connection went away first

export class PushError extends Error {
  constructor(
    readonly reason: PushFailure,
    message: string,
    readonly connectionId: string,
    /** The client's errorCode when reason is "rejected". */
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = "PushError";
  }
}

export interface PushOptions {
  /** Time to wait for the ack of one attempt. */
  timeoutMs?: number;
  /** Extra attempts after the first times out (same requestId, so a late ack still counts). */
  retries?: number;
}

export interface PushChannelOptions {
  connectionId: string;
  /** Writes one payload on the bi-stream; resolves once HTTP/2 took it (see ServerStream.send). */
  send: (payload: Payload) => Promise<void>;
  timeoutMs: number;
  retries: number;
  maxQueued: number;
  maxQueuedBytes: number;
}

interface Outgoing {
  type: string;
  requestId: string;
  payload: Payload;
  bytes: number;
  timeoutMs: number;
  retries: number;
  resolve: (ack: JsonObject) => void;
  reject: (err: Error) => void;
}

interface Waiter {
  ack(body: JsonObject): void;
  fail(err: Error): void;
}

export class PushChannel {
  private readonly queue: Outgoing[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private queuedBytesTotal = 0;
  private pumping = false;
  private closedReason: string | undefined;
  private nextId = 0;

  constructor(private readonly options: PushChannelOptions) {}

  /** Pushes waiting or in flight on the ordered queue. */
  get queued(): number {
    return this.queue.length;
  }

  get queuedBytes(): number {
    return this.queuedBytesTotal;
  }

  /** Requests written and waiting for their ack (ordered and control). */
  get awaitingAck(): number {
    return this.waiters.size;
  }

  /** Ordered push; resolves with the client's response body. */
  push(type: string, body: JsonObject, options: PushOptions = {}): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      const item = this.prepare(type, body, options, resolve, reject);
      if (this.closedReason !== undefined) return reject(this.closedError(type));
      const o = this.options;
      if (this.queue.length >= o.maxQueued) {
        return reject(new PushError("queue_full", `push queue of connection ${o.connectionId} is full (${this.queue.length} pushes waiting)`, o.connectionId));
      }
      if (this.queue.length > 0 && this.queuedBytesTotal + item.bytes > o.maxQueuedBytes) {
        return reject(
          new PushError("queue_full", `push queue of connection ${o.connectionId} is full (${this.queuedBytesTotal} bytes waiting, limit ${o.maxQueuedBytes})`, o.connectionId),
        );
      }
      this.queue.push(item);
      this.queuedBytesTotal += item.bytes;
      void this.pump();
    });
  }

  /** Unordered request (not queued behind pushes); resolves with the client's response body. */
  request(type: string, body: JsonObject, options: PushOptions = {}): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      if (this.closedReason !== undefined) return reject(this.closedError(type));
      this.exchange(this.prepare(type, body, options, resolve, reject));
    });
  }

  /** Hands a client response to the request waiting for it; false when nothing waits (late or unknown). */
  acknowledge(response: JsonObject): boolean {
    const requestId = typeof response.requestId === "string" ? response.requestId : String(response.requestId ?? "");
    const waiter = this.waiters.get(requestId);
    if (!waiter) return false;
    waiter.ack(response);
    return true;
  }

  /** Fails everything queued or waiting; later calls reject with "closed". */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const err = (type: string) => this.closedError(type, reason);
    for (const waiter of [...this.waiters.values()]) waiter.fail(err("request"));
    for (const item of this.queue.splice(1)) {
      this.queuedBytesTotal -= item.bytes;
      item.reject(err(item.type));
    }
  }

  private closedError(type: string, reason = this.closedReason): PushError {
    const c = this.options.connectionId;
    return new PushError("closed", `cannot deliver ${type}: connection ${c} is closed (${reason})`, c);
  }

  private prepare(type: string, body: JsonObject, options: PushOptions, resolve: Outgoing["resolve"], reject: Outgoing["reject"]): Outgoing {
    const requestId = String(++this.nextId);
    // Server requests carry an (empty) headers map and the requestId in their JSON, as Java clients expect.
    const payload = makePayload(type, { headers: {}, ...body, requestId });
    return {
      type,
      requestId,
      payload,
      bytes: payload.body!.value.length + type.length + 16,
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
      retries: Math.max(0, options.retries ?? this.options.retries),
      resolve,
      reject,
    };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        await new Promise<void>((done) => {
          this.exchange({
            ...head,
            resolve: (ack) => (head.resolve(ack), done()),
            reject: (err) => (head.reject(err), done()),
          });
        });
        // close() may have emptied the queue apart from the head; the head is still ours to remove.
        if (this.queue[0] === head) {
          this.queue.shift();
          this.queuedBytesTotal -= head.bytes;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Writes the request, retries on timeout, settles on ack, failure or close. */
  private exchange(item: Outgoing): void {
    const { connectionId } = this.options;
    if (this.closedReason !== undefined) return item.reject(this.closedError(item.type));
    let attempts = 0;
    let writing = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (fn: () => void) => {
      if (!this.waiters.has(item.requestId)) return;
      this.waiters.delete(item.requestId);
      if (timer) clearTimeout(timer);
      fn();
    };
    const waiter: Waiter = {
      ack: (body) =>
        settle(() => {
          if (isSuccessResponse(body)) return item.resolve(body);
          const code = typeof body.errorCode === "number" ? body.errorCode : undefined;
          item.reject(new PushError("rejected", `${item.type} rejected by client ${connectionId}: ${String(body.message ?? "no message")} (errorCode ${code})`, connectionId, code));
        }),
      fail: (err) => settle(() => item.reject(err)),
    };
    this.waiters.set(item.requestId, waiter);
    const attempt = () => {
      attempts++;
      if (!writing) {
        writing = true;
        this.options.send(item.payload).then(
          () => (writing = false),
          (err: unknown) => waiter.fail(this.sendError(item.type, err)),
        );
      }
      timer = setTimeout(() => {
        if (attempts > item.retries) {
          waiter.fail(
            new PushError("timeout", `no ack for ${item.type} (requestId ${item.requestId}) from connection ${connectionId} after ${attempts} attempt(s) of ${item.timeoutMs} ms`, connectionId),
          );
        } else {
          attempt();
        }
      }, item.timeoutMs);
    };
    attempt();
  }

  private sendError(type: string, err: unknown): PushError {
    const c = this.options.connectionId;
    if (err instanceof BufferFullError) return new PushError("buffer_full", `cannot write ${type}: ${err.message}`, c);
    if (err instanceof StreamClosedError) return this.closedError(type, this.closedReason ?? "stream closed");
    return new PushError("closed", `cannot write ${type} to connection ${c}: ${(err as Error)?.message ?? String(err)}`, c);
  }
}
