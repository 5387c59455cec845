// Errors the core raises to its driver. Each one says what the driver can do about it.

import type { NodeId } from "./types.ts";

/** This node is not the leader. `leader` is the leader it knows of (0 = none): forward there or retry later. */
export class NotLeaderError extends Error {
  constructor(readonly leader: NodeId) {
    super(leader === 0 ? "not the leader; no leader known" : `not the leader; leader is ${leader}`);
    this.name = "NotLeaderError";
  }
}

export type DropReason =
  | "leaderTransferring" // a leadership transfer is under way; retry after it finishes
  | "confChangePending" // the previous membership change is not applied yet
  | "invalidConfChange" // the change would not change anything, or would leave no voter
  | "invalidTarget" // transfer target is not a voter of this cluster
  | "uncommittedLimit"; // the leader holds maxUncommittedBytes of uncommitted entries; back off

/** The leader refused a request; nothing was appended. */
export class ProposalDroppedError extends Error {
  constructor(readonly reason: DropReason, detail = "") {
    super(`proposal dropped: ${reason}${detail ? ` (${detail})` : ""}`);
    this.name = "ProposalDroppedError";
  }
}

/** Storage: the requested index is below firstIndex()-1 (compacted away). */
export class CompactedError extends Error {
  constructor(index: number, firstIndex: number) {
    super(`index ${index} is compacted (first index ${firstIndex})`);
    this.name = "CompactedError";
  }
}

/** Storage: the requested index is above lastIndex(). */
export class UnavailableError extends Error {
  constructor(index: number, lastIndex: number) {
    super(`index ${index} is not available (last index ${lastIndex})`);
    this.name = "UnavailableError";
  }
}
