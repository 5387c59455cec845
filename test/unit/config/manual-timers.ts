// Timers a test drives by hand, for long-poll timeouts and other waits.
import type { Timers } from "../../../src/config/listen/timers.ts";

/** Timers a test fires by hand: `fire()` runs every pending callback whose time has come. */
export class ManualTimers implements Timers {
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  now = 0;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get count(): number {
    return this.pending.size;
  }

  /** Moves time forward and runs what became due, in time order. */
  advance(ms: number): void {
    this.now += ms;
    const due = [...this.pending.entries()].filter(([, t]) => t.at <= this.now).sort((a, b) => a[1].at - b[1].at);
    for (const [id, t] of due) {
      if (!this.pending.delete(id)) continue;
      t.fn();
    }
  }
}
