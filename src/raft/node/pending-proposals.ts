// Proposals this node made as leader, waiting for their entry to be applied. An entry applied at
// the same index with another term means ours was overwritten by a new leader: it never took effect.
import { DomainError, unavailable } from "../../errors.ts";
import type { ApplyOutcome } from "../state-machine.ts";

interface Pending {
  term: number;
  resolve(outcome: { index: number; value: unknown }): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingProposals {
  private readonly byIndex = new Map<number, Pending>();

  get size(): number {
    return this.byIndex.size;
  }

  add(index: number, term: number, timeoutMs: number): Promise<{ index: number; value: unknown }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byIndex.delete(index);
        reject(unavailable(`write not committed within ${timeoutMs} ms (no quorum?); it may still be applied later`));
      }, timeoutMs);
      this.byIndex.set(index, { term, resolve, reject, timer });
    });
  }

  /** Settles the proposal at `index`, if this node made one, with what applying the entry gave. */
  settle(index: number, term: number, outcome: ApplyOutcome | undefined): void {
    const p = this.byIndex.get(index);
    if (!p) return;
    this.byIndex.delete(index);
    clearTimeout(p.timer);
    if (p.term !== term) {
      p.reject(unavailable("leader changed before the write committed; it was not applied, retry"));
    } else if (!outcome) {
      p.reject(new DomainError("internal", `entry ${index} applied without an outcome`));
    } else if (outcome.ok) {
      p.resolve({ index, value: outcome.value });
    } else {
      p.reject(outcome.error);
    }
  }

  rejectAll(err: Error): void {
    for (const p of this.byIndex.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.byIndex.clear();
  }
}
