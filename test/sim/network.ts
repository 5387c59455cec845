// A seeded, lossy network between simulated nodes: per-message delay (which reorders), loss,
// duplication, and partitions (cut links, isolated nodes). Time is in micro-steps; the simulation
// advances it and asks for what is due.

import type { Rng } from "../../src/raft/core/rng.ts";
import type { Message, NodeId } from "../../src/raft/core/types.ts";

export interface NetworkFaults {
  /** Probability a message is dropped. */
  loss: number;
  /** Probability a delivered message is delivered twice. */
  duplicate: number;
  /** Delay in micro-steps is uniform in [minDelay, maxDelay]. */
  minDelay: number;
  maxDelay: number;
}

/** What the driver sends alongside a snap message: the snapshot's content, out-of-band. */
export interface SnapshotData {
  /** State-machine hash as of the snapshot index. */
  smHash: number;
  /** Log chain hash at the snapshot index. */
  chain: number;
}

export type NetEvent =
  | { kind: "message"; at: number; seq: number; msg: Message; snap: SnapshotData | null; reportTo: number }
  | { kind: "snapReport"; at: number; seq: number; leader: NodeId; incarnation: number; target: NodeId; ok: boolean };

/** A binary heap ordered by (at, seq): deterministic for equal times. */
class EventQueue {
  private heap: NetEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(e: NetEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  peek(): NetEvent | undefined {
    return this.heap[0];
  }

  pop(): NetEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: NetEvent, b: NetEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class SimNetwork {
  private readonly queue = new EventQueue();
  private seq = 0;
  private readonly blocked = new Set<string>();
  faults: NetworkFaults;
  sent = 0;
  dropped = 0;

  constructor(
    private readonly rng: Rng,
    faults: NetworkFaults,
  ) {
    this.faults = { ...faults };
  }

  get inFlight(): number {
    return this.queue.size;
  }

  private static link(a: NodeId, b: NodeId): string {
    return `${a}>${b}`;
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(SimNetwork.link(from, to));
  }

  cut(a: NodeId, b: NodeId): void {
    this.blocked.add(SimNetwork.link(a, b));
    this.blocked.add(SimNetwork.link(b, a));
  }

  isolate(a: NodeId, all: readonly NodeId[]): void {
    for (const b of all) if (b !== a) this.cut(a, b);
  }

  heal(): void {
    this.blocked.clear();
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  private delay(): number {
    return this.rng.range(this.faults.minDelay, this.faults.maxDelay);
  }

  /**
   * Send a message at time `now`. Returns false when the link is cut (the driver may report the peer
   * unreachable). `reportTo` >= 0 asks for a snapshot report to the sender (its incarnation).
   */
  send(now: number, msg: Message, snap: SnapshotData | null, senderIncarnation: number): boolean {
    this.sent++;
    const isSnap = msg.type === "snap";
    if (this.isBlocked(msg.from, msg.to)) {
      this.dropped++;
      if (isSnap) this.report(now + this.delay(), msg, senderIncarnation, false);
      return false;
    }
    if (this.rng.chance(this.faults.loss)) {
      this.dropped++;
      if (isSnap) this.report(now + this.delay(), msg, senderIncarnation, false);
      return true;
    }
    const reportTo = isSnap ? senderIncarnation : -1;
    this.queue.push({ kind: "message", at: now + this.delay(), seq: this.seq++, msg, snap, reportTo });
    if (this.rng.chance(this.faults.duplicate)) {
      this.queue.push({ kind: "message", at: now + this.delay(), seq: this.seq++, msg, snap, reportTo: -1 });
    }
    return true;
  }

  report(at: number, msg: Message, incarnation: number, ok: boolean): void {
    this.queue.push({ kind: "snapReport", at, seq: this.seq++, leader: msg.from, incarnation, target: msg.to, ok });
  }

  /** Next event due at or before `now`, if any. A message on a link cut meanwhile is dropped. */
  nextDue(now: number): NetEvent | undefined {
    for (;;) {
      const e = this.queue.peek();
      if (e === undefined || e.at > now) return undefined;
      this.queue.pop();
      if (e.kind === "message" && this.isBlocked(e.msg.from, e.msg.to)) {
        this.dropped++;
        if (e.reportTo >= 0) this.report(now + 1, e.msg, e.reportTo, false);
        continue;
      }
      return e;
    }
  }
}
