// Sends merged pushes to subscribers at a bounded rate (token bucket) with a bounded number
// waiting for acks, so a change to a service with thousands of subscribers cannot flood the node
// or the network. A subscriber queued twice for the same service is pushed once, with the state
// current when its turn comes.
import type { Logger } from "../../log.ts";
import type { Timers } from "../timers.ts";
import type { Subscriber } from "./subscriber-registry.ts";

export interface DispatcherOptions {
  maxPerSecond: number;
  maxInFlight: number;
}

/** Delivers the current state of `serviceId` to the subscriber; resolves when it acknowledged. */
export type Deliver = (subscriber: Subscriber, serviceId: string) => Promise<void>;

export interface PushStats {
  queued: number;
  inFlight: number;
  delivered: number;
  failed: number;
  /** Ack latency percentiles (ms) over the most recent pushes. */
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const LATENCY_WINDOW = 2048;

export class PushDispatcher {
  private readonly queue = new Map<string, { subscriber: Subscriber; serviceId: string }>();
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;
  private wakeup: unknown;
  private delivered = 0;
  private failed = 0;
  private readonly latencies: number[] = [];
  private stopped = false;
  private readonly burst: number;

  constructor(
    private readonly timers: Timers,
    private readonly options: DispatcherOptions,
    private readonly deliver: Deliver,
    private readonly log: Logger,
  ) {
    this.burst = Math.max(1, Math.floor(options.maxPerSecond / 10));
    this.tokens = this.burst;
    this.refilledAt = timers.now();
  }

  enqueue(subscriber: Subscriber, serviceId: string): void {
    if (this.stopped) return;
    const key = `${subscriber.id}|${serviceId}`;
    if (!this.queue.has(key)) this.queue.set(key, { subscriber, serviceId });
    this.pump();
  }

  stats(): PushStats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pick = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
    return { queued: this.queue.size, inFlight: this.inFlight, delivered: this.delivered, failed: this.failed, latencyP50Ms: pick(0.5), latencyP99Ms: pick(0.99) };
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
    if (this.wakeup !== undefined) this.timers.clearTimeout(this.wakeup);
    this.wakeup = undefined;
  }

  private pump(): void {
    if (this.wakeup !== undefined) return;
    while (this.queue.size > 0 && this.inFlight < this.options.maxInFlight) {
      this.refill();
      if (this.tokens < 1) {
        const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.options.maxPerSecond);
        this.wakeup = this.timers.setTimeout(() => {
          this.wakeup = undefined;
          this.pump();
        }, waitMs);
        return;
      }
      this.tokens -= 1;
      const [key, task] = this.queue.entries().next().value as [string, { subscriber: Subscriber; serviceId: string }];
      this.queue.delete(key);
      this.send(task.subscriber, task.serviceId);
    }
  }

  private refill(): void {
    const now = this.timers.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.options.maxPerSecond) / 1000);
    this.refilledAt = now;
  }

  private send(subscriber: Subscriber, serviceId: string): void {
    this.inFlight++;
    const started = this.timers.now();
    this.deliver(subscriber, serviceId).then(
      () => {
        this.delivered++;
        this.latencies.push(this.timers.now() - started);
        if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
      },
      (err: unknown) => {
        this.failed++;
        this.log.debug("push failed", { subscriber: subscriber.id, service: serviceId, error: err });
      },
    ).finally(() => {
      this.inFlight--;
      if (!this.stopped) this.pump();
    });
  }
}
