// HTTP 1.x long-polling (Nacos LongPollingService): a client posts the keys it holds with their MD5s.
// Keys whose MD5 differs from what that client would read now are answered at once; otherwise the
// request is held until one of its keys changes for that client, or until its timeout. A change
// answers every held poll of that key in one pass; a poll is answered once and then forgotten.
import type { ConfigIndex } from "../config-index.ts";
import type { ClientIdentity } from "../gray/gray-match.ts";
import type { Timers } from "./timers.ts";

/** One key a client listens to, as it sent it (the tenant is echoed back the way it came). */
export interface ListenedKey {
  /** The index key (keyString). */
  key: string;
  dataId: string;
  group: string;
  /** The tenant as the client wrote it ("" when it sent none). */
  tenant: string;
  md5: string;
}

export interface PollOptions {
  /** How long to hold when nothing changed. */
  holdMs: number;
  /** Answer at once even when nothing changed (Long-Pulling-Timeout-No-Hangup). */
  noHangUp: boolean;
}

/** Nacos/r-nacos: the client's timeout, clamped to 10 s..120 s, answered 500 ms early. */
export function holdTimeFor(requestedMs: number): number {
  const clamped = Math.min(120_000, Math.max(10_000, Number.isFinite(requestedMs) ? requestedMs : 30_000));
  return clamped - 500;
}

class HeldPoll {
  timer: unknown;
  done = false;
  constructor(
    readonly keys: Map<string, ListenedKey>,
    readonly client: ClientIdentity,
    readonly resolve: (changed: ListenedKey[]) => void,
  ) {}
}

export class LongPollRegistry {
  private readonly byKey = new Map<string, Set<HeldPoll>>();
  private held = 0;
  private draining = false;

  constructor(
    private readonly index: ConfigIndex,
    private readonly timers: Timers,
  ) {}

  /** Polls currently held. */
  get size(): number {
    return this.held;
  }

  /** Listeners of one key (held polls that include it). */
  listenersOf(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  /** Client IP → the MD5 it holds, for each held poll of the key. */
  holdersOf(key: string): { ip: string; md5: string }[] {
    return [...(this.byKey.get(key) ?? [])].map((p) => ({ ip: p.client.ip, md5: p.keys.get(key)!.md5 }));
  }

  /**
   * The changed keys now, or a promise of them (empty when the hold timed out or the server drains).
   * `signal` (the client went away) ends the hold early, so abandoned polls do not linger.
   */
  poll(keys: ListenedKey[], client: ClientIdentity, opts: PollOptions, signal?: AbortSignal): ListenedKey[] | Promise<ListenedKey[]> {
    const changed = keys.filter((k) => this.index.md5For(k.key, client) !== k.md5);
    if (changed.length > 0 || opts.noHangUp || this.draining || keys.length === 0) return changed;
    return new Promise((resolve) => {
      const poll = new HeldPoll(new Map(keys.map((k) => [k.key, k])), client, resolve);
      for (const k of poll.keys.keys()) {
        let set = this.byKey.get(k);
        if (!set) {
          set = new Set();
          this.byKey.set(k, set);
        }
        set.add(poll);
      }
      this.held++;
      poll.timer = this.timers.setTimeout(() => this.finish(poll, []), opts.holdMs);
      signal?.addEventListener("abort", () => this.finish(poll, []), { once: true });
    });
  }

  /** A key's readable content may have changed: answer the held polls for which it did. */
  changed(key: string): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const poll of [...set]) {
      const listened = poll.keys.get(key)!;
      if (this.index.md5For(key, poll.client) !== listened.md5) this.finish(poll, [listened]);
    }
  }

  /** Answers every held poll with "no change" and answers new ones at once (server shutting down). */
  drain(): void {
    this.draining = true;
    const all = new Set<HeldPoll>();
    for (const set of this.byKey.values()) for (const p of set) all.add(p);
    for (const p of all) this.finish(p, []);
  }

  private finish(poll: HeldPoll, changed: ListenedKey[]): void {
    if (poll.done) return;
    poll.done = true;
    this.timers.clearTimeout(poll.timer);
    for (const k of poll.keys.keys()) {
      const set = this.byKey.get(k);
      if (!set) continue;
      set.delete(poll);
      if (set.size === 0) this.byKey.delete(k);
    }
    this.held--;
    poll.resolve(changed);
  }
}
