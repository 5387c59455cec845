// What the Raft driver needs from the network. The cluster channel on the gRPC port implements it
// between processes; tests connect drivers in one process with an in-memory network.
import type { Message, NodeId } from "../core/types.ts";

/** A command forwarded from a follower to the leader, and what came of it there. */
export type ForwardOutcome =
  | { ok: true; index: number; value: unknown }
  | { ok: false; index: number; kind: string; message: string; code: number; leader: NodeId };

export type MembershipAction = "join" | "remove" | "promote" | "transferLeader";

export interface MembershipRequest {
  action: MembershipAction;
  nodeId: NodeId;
  addr?: string;
}

export type MembershipOutcome = { ok: true } | { ok: false; message: string; leader: NodeId };

/** Inbound side: the driver registers these with its transport. */
export interface RaftInbound {
  receive(messages: Message[]): void;
  /** A complete snapshot file arrived for `message` (type "snap"); the file is ours to install or delete. */
  receiveSnapshot(message: Message, file: string): void;
  forwarded(command: Uint8Array): Promise<ForwardOutcome>;
  membership(request: MembershipRequest): Promise<MembershipOutcome>;
}

export interface RaftTransport {
  bind(inbound: RaftInbound): void;
  /** Where each member listens; updated as membership changes are applied. */
  setPeers(peers: Map<NodeId, string>): void;
  /** Fire and forget, ordered per peer; Raft retries what is lost. Returns peers that are unreachable now. */
  send(messages: Message[]): NodeId[];
  /** Streams a snapshot file to `message.to`; resolves when the follower has it all. */
  sendSnapshot(message: Message, file: string): Promise<void>;
  forward(leader: NodeId, command: Uint8Array, timeoutMs: number): Promise<ForwardOutcome>;
  /** Sends a membership request to a member by address (joining: the seed) or by id. */
  membership(target: NodeId | string, request: MembershipRequest, timeoutMs: number): Promise<MembershipOutcome>;
  close(): void;
}
