// ConfigChangeNotifyRequest delivery, coalesced per connection. Each connection has a set of keys
// waiting to be announced and at most one announcement in flight. A burst of changes to one key while
// it waits becomes one push; a change that lands while its push is in flight queues the key again, so
// the last push a client sees for a key always follows the last change (it re-reads and gets the newest).
import type { Logger } from "../../log.ts";

export type PushFn = (connectionId: string, type: string, body: Record<string, unknown>) => Promise<unknown>;

/** Push failures after which the connection is gone and nothing more should be sent to it. */
const GONE = new Set(["closed", "not_connected"]);

export class ChangePusher {
  private readonly waiting = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly pumping = new Set<string>();
  private sent = 0;

  constructor(
    private readonly push: PushFn,
    private readonly log: Logger,
    private readonly requestType = "ConfigChangeNotifyRequest",
  ) {}

  /** Pushes delivered (acked) so far. */
  get delivered(): number {
    return this.sent;
  }

  /** Queues an announcement of `key` to a connection; replaces one still waiting for the same key. */
  notify(connectionId: string, key: string, body: Record<string, unknown>): void {
    let keys = this.waiting.get(connectionId);
    if (!keys) {
      keys = new Map();
      this.waiting.set(connectionId, keys);
    }
    keys.delete(key); // re-insert at the end: announcements go out in the order of the changes
    keys.set(key, body);
    if (!this.pumping.has(connectionId)) void this.pump(connectionId);
  }

  /** Forgets what waits for a connection that closed. */
  drop(connectionId: string): void {
    this.waiting.delete(connectionId);
  }

  private async pump(connectionId: string): Promise<void> {
    this.pumping.add(connectionId);
    try {
      for (;;) {
        const keys = this.waiting.get(connectionId);
        const next = keys?.entries().next();
        if (!keys || !next || next.done) {
          this.waiting.delete(connectionId);
          return;
        }
        const [key, body] = next.value;
        keys.delete(key);
        try {
          await this.push(connectionId, this.requestType, body);
          this.sent++;
        } catch (err) {
          const reason = (err as { reason?: string }).reason;
          if (reason !== undefined && GONE.has(reason)) {
            this.waiting.delete(connectionId);
            return;
          }
          // The client missed this announcement; its periodic full check (every few minutes) catches up.
          this.log.debug("config change push failed", { connection: connectionId, reason: reason ?? "error", error: err });
        }
      }
    } finally {
      this.pumping.delete(connectionId);
    }
  }
}
