// Drivers in one process, connected by an in-memory network that can cut links. For tests of the
// driver (persistence, group commit, forwarding, snapshots) without processes or sockets.
import { copyFileSync } from "node:fs";
import type { Message, NodeId } from "../core/types.ts";
import { newSnapshotPath } from "./snapshot-files.ts";
import type { ForwardOutcome, MembershipOutcome, MembershipRequest, RaftInbound, RaftTransport } from "./transport.ts";

export class LocalNetwork {
  private readonly nodes = new Map<NodeId, { inbound: RaftInbound; dataDir: string; addr: string }>();
  private readonly cut = new Set<string>();

  transport(id: NodeId, addr: string, dataDir: string): RaftTransport {
    const net = this;
    const deliver = <T>(to: NodeId, fn: (n: RaftInbound) => T): T | undefined => {
      const node = net.nodes.get(to);
      if (!node || !net.linked(id, to)) return undefined;
      return fn(node.inbound);
    };
    return {
      bind(inbound) {
        net.nodes.set(id, { inbound, dataDir, addr });
      },
      setPeers() {},
      send(messages) {
        const unreachable = new Set<NodeId>();
        for (const m of messages) {
          const delivered = net.linked(id, m.to) && net.nodes.has(m.to);
          if (!delivered) {
            unreachable.add(m.to);
            continue;
          }
          queueMicrotask(() => deliver(m.to, (n) => n.receive([structuredClone(m)])));
        }
        return [...unreachable];
      },
      async sendSnapshot(message, file) {
        const target = net.nodes.get(message.to);
        if (!target || !net.linked(id, message.to)) throw new Error(`node ${message.to} unreachable`);
        const copy = newSnapshotPath(target.dataDir, `recv-${id}`);
        copyFileSync(file, copy);
        target.inbound.receiveSnapshot(structuredClone(message), copy);
      },
      async forward(leader, command): Promise<ForwardOutcome> {
        const out = deliver(leader, (n) => n.forwarded(command));
        if (!out) throw new Error(`node ${leader} unreachable`);
        return out;
      },
      async membership(target, request: MembershipRequest): Promise<MembershipOutcome> {
        const to = typeof target === "number" ? target : [...net.nodes.entries()].find(([, n]) => n.addr === target)?.[0];
        const out = to === undefined ? undefined : deliver(to, (n) => n.membership(request));
        if (!out) throw new Error(`member ${String(target)} unreachable`);
        return out;
      },
      close() {
        net.nodes.delete(id);
      },
    };
  }

  private linked(a: NodeId, b: NodeId): boolean {
    return !this.cut.has(`${a}-${b}`);
  }

  /** Cuts every link between `id` and the others, both ways. */
  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}-${other}`);
      this.cut.add(`${other}-${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }
}

export type { Message };
