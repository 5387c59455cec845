// Applies commands straight to the state machine, batched per event-loop turn, without a log.
// The domains' stand-in until the Raft node is wired into the server; it shares the state machine
// and the Proposer contract, so the swap changes no domain code.
import { encodeCommand, type StateMachine } from "./state-machine.ts";
import type { Proposer } from "./proposer.ts";

interface Pending {
  data: Uint8Array;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export class DirectApply implements Proposer {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly sm: StateMachine) {}

  propose<R>(type: string, payload: unknown): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ data: encodeCommand({ type, payload }), resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  readBarrier(): Promise<void> {
    return Promise.resolve();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const first = this.sm.applied.index + 1;
    try {
      const outcomes = this.sm.applyBatch(batch.map((p, i) => ({ index: first + i, term: 1, data: p.data })));
      batch.forEach((p, i) => {
        const outcome = outcomes.get(first + i)!;
        if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
