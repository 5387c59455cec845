// A tiny synchronous cluster for unit tests: every node is driven the way a real driver must
// (persist, then send, then apply, then advance), messages go through one queue that tests can
// filter, cut or isolate, and nothing moves unless the test ticks or delivers.

import { decodeConfChange } from "../../../src/raft/core/conf-change.ts";
import { MemoryStorage } from "../../../src/raft/core/memory-storage.ts";
import type { Config } from "../../../src/raft/core/raft.ts";
import { RawNode } from "../../../src/raft/core/raw-node.ts";
import type { Ready } from "../../../src/raft/core/raw-node.ts";
import { Rng } from "../../../src/raft/core/rng.ts";
import type { ConfState, Entry, Message, MessageType, NodeId, ReadState, SnapshotMeta } from "../../../src/raft/core/types.ts";

export type NodeOptions = Partial<Omit<Config, "id" | "storage">>;

export class TestNode {
  raw: RawNode;
  /** Non-empty normal entries applied, as text. */
  applied: string[] = [];
  appliedIndex: number;
  readStates: ReadState[] = [];
  conf: ConfState;
  /** Snapshots installed from Ready.snapshot. */
  snapshots: SnapshotMeta[] = [];
  lastReady: Ready | null = null;

  constructor(
    readonly id: NodeId,
    readonly storage: MemoryStorage,
    readonly options: NodeOptions,
  ) {
    this.appliedIndex = storage.snapshotMeta().index;
    this.conf = storage.initialState().confState;
    this.raw = this.build();
  }

  private build(): RawNode {
    return new RawNode({ id: this.id, storage: this.storage, applied: this.appliedIndex, random: new Rng(this.id).asFunction(), ...this.options });
  }

  /** Lose everything volatile and start again from storage (the state machine here is durable). */
  restart(): void {
    this.raw = this.build();
  }

  /** Handle Ready like a driver; returns the messages to send. */
  processReady(): Message[] {
    const out: Message[] = [];
    while (this.raw.hasReady()) {
      const rd = this.raw.ready();
      this.lastReady = rd;
      if (rd.snapshot) {
        this.storage.applySnapshot(rd.snapshot);
        this.snapshots.push(rd.snapshot);
        this.appliedIndex = rd.snapshot.index;
        this.conf = rd.snapshot.conf;
      }
      this.storage.append(rd.entries);
      if (rd.hardState) this.storage.setHardState(rd.hardState);
      out.push(...rd.messages);
      for (const e of rd.committedEntries) this.apply(e);
      this.readStates.push(...rd.readStates);
      this.raw.advance();
    }
    return out;
  }

  private apply(e: Entry): void {
    if (e.type === "confChange") {
      this.conf = this.raw.applyConfChange(decodeConfChange(e.data));
      this.storage.setConfState(this.conf);
    } else if (e.data.length > 0) {
      this.applied.push(new TextDecoder().decode(e.data));
    }
    this.appliedIndex = e.index;
  }
}

export class TestCluster {
  readonly nodes = new Map<NodeId, TestNode>();
  private queue: Message[] = [];
  private readonly cutLinks = new Set<string>();
  readonly dropTypes = new Set<MessageType>();
  /** When set, only messages it accepts are delivered. */
  filter: ((m: Message) => boolean) | null = null;
  /** When set, messages are replaced by what it returns before delivery. */
  transform: ((m: Message) => Message) | null = null;
  /** Every message delivered, for assertions. */
  readonly delivered: Message[] = [];

  constructor(voters: NodeId[], options: NodeOptions = {}, learners: NodeId[] = []) {
    for (const id of [...voters, ...learners]) {
      this.nodes.set(id, new TestNode(id, MemoryStorage.bootstrap(voters, learners), options));
    }
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Add a node with empty storage (a joiner). */
  addEmptyNode(id: NodeId, options: NodeOptions = {}): TestNode {
    const n = new TestNode(id, new MemoryStorage(), options);
    this.nodes.set(id, n);
    return n;
  }

  cut(a: NodeId, b: NodeId): void {
    this.cutLinks.add(`${a}>${b}`);
    this.cutLinks.add(`${b}>${a}`);
  }

  isolate(a: NodeId): void {
    for (const b of this.nodes.keys()) if (b !== a) this.cut(a, b);
  }

  recover(): void {
    this.cutLinks.clear();
    this.dropTypes.clear();
    this.filter = null;
    this.transform = null;
  }

  /** Collect Ready output of every node into the queue. */
  flush(): void {
    for (const n of this.nodes.values()) this.queue.push(...n.processReady());
  }

  /** Take the queued messages (after flushing), without delivering them. */
  takeMessages(): Message[] {
    this.flush();
    const q = this.queue;
    this.queue = [];
    return q;
  }

  /** Deliver until quiet. */
  deliver(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      const q = this.takeMessages();
      if (q.length === 0) return;
      for (const m of q) this.send(m);
    }
    throw new Error("network did not settle");
  }

  /** Deliver one message now (subject to cuts and drops). */
  send(m: Message): void {
    if (this.cutLinks.has(`${m.from}>${m.to}`) || this.dropTypes.has(m.type)) return;
    if (this.filter !== null && !this.filter(m)) return;
    if (this.transform !== null) m = this.transform(m);
    const n = this.nodes.get(m.to);
    if (!n) return;
    this.delivered.push(m);
    n.raw.step(m);
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.node(id).raw.tick();
      this.deliver();
    }
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const n of this.nodes.values()) n.raw.tick();
      this.deliver();
    }
  }

  campaign(id: NodeId): void {
    this.node(id).raw.campaign();
    this.deliver();
  }

  propose(id: NodeId, text: string): { index: number; term: number } {
    const r = this.node(id).raw.propose(new TextEncoder().encode(text));
    this.deliver();
    return r;
  }

  leaders(): TestNode[] {
    return [...this.nodes.values()].filter((n) => n.raw.role === "leader");
  }
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
