// ReadIndex reads: ask the core for a read point (the leader confirms its leadership with a
// heartbeat round; a follower asks the leader), then wait until this node has applied it.
import { unavailable } from "../../errors.ts";
import type { RawNode } from "../core/raw-node.ts";
import { NotLeaderError } from "../core/errors.ts";
import type { NodeId, ReadState } from "../core/types.ts";
import type { AppliedWaiters } from "./waiters.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LinearizableReads {
  private readonly pending = new Map<string, { resolve(index: number): void; reject(err: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private seq = 0;

  constructor(
    private readonly selfId: NodeId,
    private readonly core: () => RawNode,
    private readonly waiters: AppliedWaiters,
    private readonly schedule: () => void,
    private readonly timeoutMs: number,
  ) {}

  async barrier(): Promise<void> {
    const ctx = encoder.encode(`${this.selfId}:${++this.seq}`);
    const key = decoder.decode(ctx);
    const index = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(unavailable("linearizable read not confirmed in time (no leader or no quorum)"));
      }, this.timeoutMs);
      this.pending.set(key, { resolve, reject, timer });
      try {
        this.core().readIndex(ctx);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(key);
        reject(err instanceof NotLeaderError ? unavailable("no leader known for a linearizable read; retry") : err);
        return;
      }
      this.schedule();
    });
    await this.waiters.wait(index, this.timeoutMs, "linearizable read");
  }

  /** A read point confirmed in a Ready. */
  settle(rs: ReadState): void {
    const key = decoder.decode(rs.ctx);
    const r = this.pending.get(key);
    if (!r) return;
    this.pending.delete(key);
    clearTimeout(r.timer);
    r.resolve(rs.index);
  }

  rejectAll(err: Error): void {
    for (const r of this.pending.values()) {
      clearTimeout(r.timer);
      r.reject(err);
    }
    this.pending.clear();
  }
}
