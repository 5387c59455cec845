// Proposals this node made as leader, waiting for their entry to be applied. An entry applied at
// the same index with another term means ours was overwritten by a new leader: it never took effect.
// Deadlines are swept by one timer rather than one timer per write (a hot path under load).
import { DomainError, unavailable } from "../../errors.ts";
import type { ApplyOutcome } from "../state-machine.ts";

interface Pending {
  term: number;
  deadline: number;
  timeoutMs: number;
  resolve(outcome: { index: number; value: unknown }): void;
  reject(err: Error): void;
}

const SWEEP_EVERY_MS = 100;

export class PendingProposals {
  private readonly byIndex = new Map<number, Pending>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.byIndex.size;
  }

  add(index: number, term: number, timeoutMs: number): Promise<{ index: number; value: unknown }> {
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    return new Promise((resolve, reject) => {
      this.byIndex.set(index, { term, deadline: this.now() + timeoutMs, timeoutMs, resolve, reject });
    });
  }

  /** Settles the proposal at `index`, if this node made one, with what applying the entry gave. */
  settle(index: number, term: number, outcome: ApplyOutcome | undefined): void {
    const p = this.byIndex.get(index);
    if (!p) return;
    this.byIndex.delete(index);
    if (p.term !== term) {
      p.reject(unavailable("leader changed before the write committed; it was not applied, retry"));
    } else if (!outcome) {
      p.reject(new DomainError("internal", `entry ${index} applied without an outcome`));
    } else if (outcome.ok) {
      p.resolve({ index, value: outcome.value });
    } else {
      p.reject(outcome.error);
    }
    this.stopSweepingIfIdle();
  }

  private sweep(): void {
    const now = this.now();
    for (const [index, p] of this.byIndex) {
      if (p.deadline > now) continue;
      this.byIndex.delete(index);
      p.reject(unavailable(`write not committed within ${p.timeoutMs} ms (no quorum?); it may still be applied later`));
    }
    this.stopSweepingIfIdle();
  }

  private stopSweepingIfIdle(): void {
    if (this.byIndex.size > 0 || !this.sweeper) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  rejectAll(err: Error): void {
    for (const p of this.byIndex.values()) p.reject(err);
    this.byIndex.clear();
    this.stopSweepingIfIdle();
  }
}
