// A Proposer for unit tests: applies each command straight through the real state machine (one
// entry per proposal, as a committed Raft entry would be), without a log or peers.
import { encodeCommand, type StateMachine } from "../../../../src/raft/state-machine.ts";
import type { Proposer } from "../../../../src/raft/proposer.ts";

export class ApplyingProposer implements Proposer {
  constructor(private readonly sm: StateMachine) {}

  async propose<R>(type: string, payload: unknown): Promise<R> {
    await Promise.resolve();
    const index = this.sm.applied.index + 1;
    const outcome = this.sm.applyBatch([{ index, term: 1, data: encodeCommand({ type, payload }) }]).get(index)!;
    if (!outcome.ok) throw outcome.error;
    return outcome.value as R;
  }

  readBarrier(): Promise<void> {
    return Promise.resolve();
  }
}
