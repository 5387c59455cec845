// Promises that wait for the applied index to reach a point, with a deadline each.
import { unavailable } from "../../errors.ts";

interface Waiter {
  index: number;
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class AppliedWaiters {
  private waiters: Waiter[] = [];

  constructor(private readonly applied: () => number) {}

  /** Resolves once applied ≥ index; rejects as unavailable after timeoutMs. */
  wait(index: number, timeoutMs: number, what: string): Promise<void> {
    if (this.applied() >= index) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        index,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(unavailable(`${what}: this node has not applied index ${index} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Call after every apply. */
  advance(): void {
    if (this.waiters.length === 0) return;
    const applied = this.applied();
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.index <= applied) {
        clearTimeout(w.timer);
        w.resolve();
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  rejectAll(err: Error): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters = [];
  }
}
