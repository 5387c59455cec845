// The Raft transport over the cluster channel on the gRPC port: one ordered stream per peer for
// Raft messages, unary calls for forwarded writes and membership, a chunked stream for snapshots.
// Every call carries the cluster token; a call without the right token is refused.
import { closeSync, createReadStream, openSync, rmSync, writeSync } from "node:fs";
import type { ClientHttp2Stream } from "node:http2";
import { nodeCrypto } from "../../lazy-builtins.ts";
import type { Logger } from "../../log.ts";
import type { Message, NodeId } from "../core/types.ts";
import {
  ForwardRequest,
  ForwardResponse,
  MembershipRequest as PbMembershipRequest,
  MembershipResponse as PbMembershipResponse,
  SnapshotChunk,
  SnapshotDone,
  StreamAck,
} from "../../grpc/generated/cluster.ts";
import { encodeFrame } from "../../grpc/framing.ts";
import { codecOf, type CallContext, type Method, type ServerStream } from "../../grpc/method.ts";
import { GrpcError, GrpcStatus } from "../../grpc/status.ts";
import { collectResponses, GrpcPeerClient, TOKEN_HEADER } from "./grpc-client.ts";
import { messageFromPb, messageToPb } from "./codec.ts";
import { RAFT_BATCH_CODEC, raftBatchFrame } from "./raft-batch-codec.ts";
import { newSnapshotPath } from "../node/snapshot-files.ts";
import type { ForwardOutcome, MembershipAction, MembershipOutcome, MembershipRequest, RaftInbound, RaftTransport } from "../node/transport.ts";

const SERVICE = "/rnacos.cluster.Raft";
export const CLUSTER_PATHS = {
  stream: `${SERVICE}/Stream`,
  forward: `${SERVICE}/Forward`,
  snapshot: `${SERVICE}/InstallSnapshot`,
  membership: `${SERVICE}/Membership`,
} as const;

const NODE_ID_HEADER = "rnacos-node-id";
const NODE_ADDR_HEADER = "rnacos-node-addr";
const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** Bytes a peer stream may hold unsent before messages to that peer are dropped (Raft resends). */
const STREAM_HIGH_WATER = 8 * 1024 * 1024;

export interface GrpcTransportOptions {
  /** This node, announced on every stream so a peer that does not know us yet (a joiner) can answer. */
  selfId: NodeId;
  selfAddr: string;
  token: string;
  dataDir: string;
  log: Logger;
  /** Registers a method on this node's gRPC server (the bridge's addMethod). */
  addMethod(path: string, method: Method): void;
}

export class GrpcTransport implements RaftTransport {
  private inbound: RaftInbound | undefined;
  private peers = new Map<NodeId, string>();
  /** Addresses announced by peers that are not (yet) in our membership table. */
  private readonly announced = new Map<NodeId, string>();
  private readonly clients = new Map<string, GrpcPeerClient>();
  private readonly streams = new Map<NodeId, ClientHttp2Stream>();

  constructor(private readonly opts: GrpcTransportOptions) {
    this.registerService();
  }

  bind(inbound: RaftInbound): void {
    this.inbound = inbound;
  }

  setPeers(peers: Map<NodeId, string>): void {
    for (const [id, addr] of this.peers) {
      if (peers.get(id) !== addr) this.dropStream(id);
    }
    this.peers = new Map(peers);
  }

  private client(addr: string): GrpcPeerClient {
    let c = this.clients.get(addr);
    if (!c) {
      c = new GrpcPeerClient(addr, this.opts.token, { [NODE_ID_HEADER]: String(this.opts.selfId), [NODE_ADDR_HEADER]: this.opts.selfAddr });
      this.clients.set(addr, c);
    }
    return c;
  }

  private clientFor(id: NodeId): GrpcPeerClient {
    const addr = this.peers.get(id) ?? this.announced.get(id);
    if (!addr) throw new Error(`no address known for node ${id}`);
    return this.client(addr);
  }

  // ------------------------------------------------------------ outbound

  send(messages: Message[]): NodeId[] {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      let list = byPeer.get(m.to);
      if (!list) byPeer.set(m.to, (list = []));
      list.push(m);
    }
    const unreachable: NodeId[] = [];
    for (const [to, list] of byPeer) {
      const stream = this.streamTo(to);
      if (!stream || stream.writableLength > STREAM_HIGH_WATER) {
        unreachable.push(to);
        continue;
      }
      stream.write(raftBatchFrame(list));
    }
    return unreachable;
  }

  private streamTo(to: NodeId): ClientHttp2Stream | undefined {
    const existing = this.streams.get(to);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    let stream: ClientHttp2Stream;
    try {
      stream = this.clientFor(to).open(CLUSTER_PATHS.stream);
    } catch {
      return undefined;
    }
    this.streams.set(to, stream);
    collectResponses(stream, () => {}).catch((err: Error) => this.opts.log.debug("peer stream ended", { to, reason: err.message }));
    stream.on("close", () => {
      if (this.streams.get(to) === stream) this.streams.delete(to);
    });
    return stream;
  }

  private dropStream(id: NodeId): void {
    this.streams.get(id)?.close();
    this.streams.delete(id);
  }

  async sendSnapshot(message: Message, file: string): Promise<void> {
    const stream = this.clientFor(message.to).open(CLUSTER_PATHS.snapshot);
    const done = collectResponses(stream);
    const write = (chunk: SnapshotChunk) =>
      new Promise<void>((resolve, reject) => {
        if (stream.destroyed) return reject(new Error("snapshot stream closed"));
        if (stream.write(encodeFrame(SnapshotChunk.toBinary(chunk)))) resolve();
        else stream.once("drain", resolve);
      });
    let first = true;
    for await (const data of createReadStream(file, { highWaterMark: SNAPSHOT_CHUNK_BYTES })) {
      await write({ message: first ? messageToPb(message) : undefined, data: data as Buffer, last: false });
      first = false;
    }
    await write({ message: first ? messageToPb(message) : undefined, data: new Uint8Array(0), last: true });
    stream.end();
    const [reply] = await done;
    const result = SnapshotDone.fromBinary(reply!);
    if (!result.ok) throw new Error(`follower refused the snapshot: ${result.error}`);
  }

  async forward(leader: NodeId, command: Uint8Array, timeoutMs: number): Promise<ForwardOutcome> {
    const bytes = await this.clientFor(leader).unary(CLUSTER_PATHS.forward, ForwardRequest.toBinary({ command }), timeoutMs);
    const r = ForwardResponse.fromBinary(bytes);
    if (r.ok) return { ok: true, index: r.index, value: r.valueJson === "" ? undefined : JSON.parse(r.valueJson) };
    return { ok: false, index: r.index, kind: r.kind, message: r.message, code: r.code, leader: r.leader };
  }

  async membership(target: NodeId | string, request: MembershipRequest, timeoutMs: number): Promise<MembershipOutcome> {
    const client = typeof target === "string" ? this.client(target) : this.clientFor(target);
    const bytes = await client.unary(
      CLUSTER_PATHS.membership,
      PbMembershipRequest.toBinary({ action: request.action, nodeId: request.nodeId, addr: request.addr ?? "" }),
      timeoutMs,
    );
    const r = PbMembershipResponse.fromBinary(bytes);
    return r.ok ? { ok: true } : { ok: false, message: r.message, leader: r.leader };
  }

  close(): void {
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.inbound = undefined;
  }

  // ------------------------------------------------------------ inbound (server side)

  private noteAnnouncedPeer(call: CallContext): void {
    const id = Number(call.metadata[NODE_ID_HEADER]);
    const addr = call.metadata[NODE_ADDR_HEADER];
    if (!Number.isSafeInteger(id) || id <= 0 || !addr || this.peers.has(id)) return;
    if (this.announced.get(id) !== addr) {
      this.announced.set(id, addr);
      this.opts.log.debug("learned a peer address from its stream", { nodeId: id, addr });
    }
  }

  private authorize(call: CallContext): RaftInbound {
    const token = this.opts.token;
    if (token) {
      const given = Buffer.from(call.metadata[TOKEN_HEADER] ?? "");
      const want = Buffer.from(token);
      if (given.length !== want.length || !nodeCrypto().timingSafeEqual(given, want)) {
        throw new GrpcError(GrpcStatus.UNAUTHENTICATED, "cluster token missing or wrong (RNACOS_CLUSTER_TOKEN must match on every node)");
      }
    }
    // A peer with the right token has identified itself (cluster peers send no Nacos setup); a wrong
    // token leaves the connection to the handshake window like any other stranger.
    call.session.establish();
    if (!this.inbound) throw new GrpcError(GrpcStatus.UNAVAILABLE, "Raft is not running on this node");
    return this.inbound;
  }

  /** For a stream: the inbound side, or undefined after ending the stream with the refusal. */
  private authorizeStream(stream: ServerStream<unknown>): RaftInbound | undefined {
    try {
      return this.authorize(stream.call);
    } catch (err) {
      stream.end((err as GrpcError).code, (err as Error).message);
      return undefined;
    }
  }

  private registerService(): void {
    const add = this.opts.addMethod;
    add(CLUSTER_PATHS.stream, {
      kind: "bidi",
      request: RAFT_BATCH_CODEC,
      response: codecOf(StreamAck),
      open: (stream) => {
        const inbound = this.authorizeStream(stream);
        if (!inbound) return { onMessage() {} };
        this.noteAnnouncedPeer(stream.call);
        return {
          onMessage: (messages: Message[]) => {
            try {
              inbound.receive(messages);
            } catch (err) {
              this.opts.log.warn("bad Raft batch", { error: (err as Error).message });
            }
          },
          onHalfClose: () => stream.end(),
        };
      },
    });

    add(CLUSTER_PATHS.forward, {
      kind: "unary",
      request: codecOf(ForwardRequest),
      response: codecOf(ForwardResponse),
      handle: async (req: ForwardRequest, call: CallContext) => {
        const out = await this.authorize(call).forwarded(req.command);
        return out.ok
          ? { ok: true, index: out.index, valueJson: out.value === undefined ? "" : JSON.stringify(out.value), kind: "", message: "", code: 0, leader: 0 }
          : { ok: false, index: out.index, valueJson: "", kind: out.kind, message: out.message, code: out.code, leader: out.leader };
      },
    });

    add(CLUSTER_PATHS.membership, {
      kind: "unary",
      request: codecOf(PbMembershipRequest),
      response: codecOf(PbMembershipResponse),
      handle: async (req: PbMembershipRequest, call: CallContext) => {
        const out = await this.authorize(call).membership({ action: req.action as MembershipAction, nodeId: req.nodeId, addr: req.addr || undefined });
        return out.ok ? { ok: true, message: "", leader: 0 } : { ok: false, message: out.message, leader: out.leader };
      },
    });

    add(CLUSTER_PATHS.snapshot, {
      kind: "bidi",
      request: codecOf(SnapshotChunk),
      response: codecOf(SnapshotDone),
      open: (stream) => {
        const inbound = this.authorizeStream(stream);
        if (!inbound) return { onMessage() {} };
        const file = newSnapshotPath(this.opts.dataDir, "recv");
        let fd: number | undefined = openSync(file, "w");
        let message: Message | undefined;
        let handedOver = false;
        let bytes = 0;
        const closeFile = () => {
          if (fd !== undefined) closeSync(fd);
          fd = undefined;
        };
        const discard = () => {
          closeFile();
          if (!handedOver) rmSync(file, { force: true });
        };
        return {
          onMessage: (chunk: SnapshotChunk) => {
            if (fd === undefined) return;
            try {
              if (chunk.message) message = messageFromPb(chunk.message);
              if (chunk.data.length > 0) bytes += writeSync(fd, chunk.data);
              if (!chunk.last) return;
              closeFile();
              if (!message) throw new Error("snapshot without its Raft message");
              this.opts.log.info("received snapshot", { from: message.from, index: message.snapshot?.index, bytes });
              handedOver = true;
              inbound.receiveSnapshot(message, file);
              void stream.send({ ok: true, error: "" }).finally(() => stream.end());
            } catch (err) {
              discard();
              void stream.send({ ok: false, error: (err as Error).message }).finally(() => stream.end());
            }
          },
          onClose: discard,
        };
      },
    });
  }
}
