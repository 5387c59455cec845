// What the leader knows about one follower's log, and how it sends to it:
// - probe:     we do not know where the logs match; one append at a time, then wait for the answer.
// - replicate: logs match up to `match`; stream appends optimistically, bounded by the inflight window.
// - snapshot:  the follower needs a snapshot; send nothing until the driver reports the transfer.

import { Inflights } from "./inflights.ts";

export type ProgressState = "probe" | "replicate" | "snapshot";

export class Progress {
  /** Highest index known to match the leader's log. */
  match = 0;
  /** Next index to send. Invariant: match < next. */
  next: number;
  state: ProgressState = "probe";
  /** In snapshot state: the index of the snapshot sent. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /**
   * Probe: an append is out and unanswered. Replicate: the inflight window is full. A heartbeat
   * response clears it, so one (empty) append goes out and its answer clears a window of lost messages.
   */
  paused = false;
  /** Highest commit index the follower can have learned from what we sent it. */
  sentCommit = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, isLearner: boolean, maxInflight: number, maxInflightBytes: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.paused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === "snapshot") {
      // After a snapshot the follower probably holds it: start probing just past it.
      const pending = this.pendingSnapshot;
      this.resetState("probe");
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState("probe");
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState("replicate");
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState("snapshot");
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /** An append with `count` entries (last one `lastIndex`) was sent. */
  sentEntries(count: number, bytes: number, lastIndex: number): void {
    if (this.state === "replicate") {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
      this.paused = this.inflights.full();
    } else if (this.state === "probe") {
      if (count > 0) this.paused = true;
    } else {
      throw new Error("append sent to a follower in snapshot state");
    }
  }

  /** Could an empty append teach the follower a newer commit index? */
  canBumpCommit(commit: number): boolean {
    return commit > this.sentCommit && this.sentCommit < this.next - 1;
  }

  /** The follower acknowledged index n. Returns false when that is old news. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) return false;
    this.match = n;
    if (this.next < n + 1) this.next = n + 1;
    this.paused = false;
    return true;
  }

  /**
   * The follower rejected an append probing `rejected`; `matchHint` is where the logs may match.
   * Returns false when the rejection is stale (answers an append we no longer care about).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.paused = false;
    return true;
  }

  isPaused(): boolean {
    return this.state === "snapshot" || this.paused;
  }
}
