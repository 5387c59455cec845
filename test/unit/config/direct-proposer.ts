// A Proposer for unit tests: applies each command straight to the state machine (batched per
// event-loop turn, like a leader's group commit) with no log and no timers. Same contract as the
// Raft node: resolves with the handler's result after apply, rejects with its DomainError.
import { encodeCommand, type StateMachine } from "../../../src/raft/state-machine.ts";
import type { Proposer } from "../../../src/raft/proposer.ts";

interface Pending {
  data: Uint8Array;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export class DirectProposer implements Proposer {
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
    const outcomes = this.sm.applyBatch(batch.map((p, i) => ({ index: first + i, term: 1, data: p.data })));
    batch.forEach((p, i) => {
      const outcome = outcomes.get(first + i)!;
      if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }
}
