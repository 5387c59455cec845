// Pending ReadIndex requests on the leader (§6.4): each records the commit index when it arrived and
// waits until a majority acknowledges a heartbeat carrying its context, proving that no newer leader
// existed at that moment. An ack for a later request also confirms every earlier one.

import type { NodeId } from "./types.ts";

export interface ReadRequest {
  /** Who asked: this node, or a follower that forwarded it. */
  from: NodeId;
  ctx: Uint8Array;
  index: number;
}

interface Pending {
  req: ReadRequest;
  acks: Map<NodeId, boolean>;
}

export function ctxKey(ctx: Uint8Array): string {
  let s = "";
  for (let i = 0; i < ctx.length; i++) s += String.fromCharCode(ctx[i]!);
  return s;
}

export class ReadOnly {
  private readonly pending = new Map<string, Pending>();
  private queue: string[] = [];

  /** Queue a read. A context already pending is ignored (the first one wins). */
  add(req: ReadRequest): void {
    const key = ctxKey(req.ctx);
    if (this.pending.has(key)) return;
    this.pending.set(key, { req, acks: new Map() });
    this.queue.push(key);
  }

  /** Record an ack; returns the acks so far, or null if the context is not pending. */
  recvAck(from: NodeId, ctx: Uint8Array): Map<NodeId, boolean> | null {
    const p = this.pending.get(ctxKey(ctx));
    if (!p) return null;
    p.acks.set(from, true);
    return p.acks;
  }

  /** Release the request for ctx and every one queued before it. */
  advance(ctx: Uint8Array): ReadRequest[] {
    const key = ctxKey(ctx);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const released: ReadRequest[] = [];
    for (let i = 0; i <= at; i++) {
      const k = this.queue[i]!;
      released.push(this.pending.get(k)!.req);
      this.pending.delete(k);
    }
    this.queue = this.queue.slice(at + 1);
    return released;
  }

  /** Context of the newest pending read, carried by heartbeats so any round of acks confirms it. */
  lastPendingCtx(): Uint8Array | null {
    if (this.queue.length === 0) return null;
    return this.pending.get(this.queue[this.queue.length - 1]!)!.req.ctx;
  }

  get size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
