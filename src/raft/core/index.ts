// Public API of the Raft core. A driver needs RawNode, a Storage implementation and the types.

export { RawNode } from "./raw-node.ts";
export type { Ready } from "./raw-node.ts";
export type { Config, Status, ProgressStatus } from "./raft.ts";
export type { Storage, InitialState } from "./storage.ts";
export { MemoryStorage } from "./memory-storage.ts";
export { encodeConfChange, decodeConfChange, changeConf } from "./conf-change.ts";
export { NotLeaderError, ProposalDroppedError, CompactedError, UnavailableError } from "./errors.ts";
export type { DropReason } from "./errors.ts";
export { Rng } from "./rng.ts";
export { NONE, EMPTY_BYTES, newMessage, entrySize } from "./types.ts";
export type {
  NodeId,
  Entry,
  EntryType,
  HardState,
  ConfState,
  SnapshotMeta,
  Message,
  MessageType,
  Role,
  SoftState,
  ReadState,
  ConfChange,
  ConfChangeType,
} from "./types.ts";
