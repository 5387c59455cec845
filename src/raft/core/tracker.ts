// The membership as this node has applied it, one Progress per member (meaningful on the leader), and
// the votes of the current election.

import { Progress } from "./progress.ts";
import { committedIndex, hasQuorum, voteResult } from "./quorum.ts";
import type { VoteResult } from "./quorum.ts";
import type { ConfState, NodeId } from "./types.ts";

export class ProgressTracker {
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(
    private readonly maxInflight: number,
    private readonly maxInflightBytes: number,
  ) {}

  confState(): ConfState {
    return { voters: this.voters.slice(), learners: this.learners.slice() };
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  isLearner(id: NodeId): boolean {
    return this.learners.includes(id);
  }

  /** Only this node votes: it decides everything alone. */
  isSingleton(self: NodeId): boolean {
    return this.voters.length === 1 && this.voters[0] === self;
  }

  /**
   * Switch to a membership. Members already tracked keep their progress; new ones start probing at
   * `nextIndex` and count as recently active so that adding a node cannot trip check-quorum at once.
   */
  setConf(conf: ConfState, nextIndex: number): void {
    this.voters = conf.voters.slice().sort((a, b) => a - b);
    this.learners = conf.learners.slice().sort((a, b) => a - b);
    const keep = new Set<NodeId>([...this.voters, ...this.learners]);
    for (const id of [...this.progress.keys()]) if (!keep.has(id)) this.progress.delete(id);
    for (const id of keep) {
      const learner = !this.voters.includes(id);
      const pr = this.progress.get(id);
      if (pr) {
        pr.isLearner = learner;
      } else {
        const fresh = new Progress(nextIndex, learner, this.maxInflight, this.maxInflightBytes);
        fresh.recentActive = true;
        this.progress.set(id, fresh);
      }
    }
  }

  /** Forget everything about followers (new term): next = lastIndex + 1, match unknown. */
  resetProgress(self: NodeId, lastIndex: number): void {
    for (const [id, pr] of this.progress) {
      const learner = pr.isLearner;
      const fresh = new Progress(lastIndex + 1, learner, this.maxInflight, this.maxInflightBytes);
      if (id === self) fresh.match = lastIndex;
      this.progress.set(id, fresh);
    }
  }

  committed(): number {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return voteResult(this.voters, this.votes);
  }

  /** Check-quorum: did a majority of voters talk to us since the last round? Resets the flags. */
  quorumActive(self: NodeId): boolean {
    const ok = hasQuorum(this.voters, (id) => id === self || this.progress.get(id)?.recentActive === true);
    for (const [id, pr] of this.progress) pr.recentActive = id === self;
    return ok;
  }
}
