// Majority math, kept apart from everything else: only voters count, learners never do.

import type { NodeId } from "./types.ts";

export type VoteResult = "won" | "lost" | "pending";

export function majority(voterCount: number): number {
  return (voterCount >> 1) + 1;
}

/**
 * The highest index that a majority of voters has reached, given each voter's match index.
 * With no voters nothing can be committed (0).
 */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  const n = voters.length;
  if (n === 0) return 0;
  if (n === 1) return matchOf(voters[0]!);
  const matches = new Array<number>(n);
  for (let i = 0; i < n; i++) matches[i] = matchOf(voters[i]!);
  matches.sort((x, y) => y - x);
  // Sorted descending: the majority-th largest value is reached by a majority.
  return matches[majority(n) - 1]!;
}

/** Tally of yes/no answers (votes, acks) among voters; answers from non-voters are ignored. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const need = majority(voters.length);
  let yes = 0;
  let no = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) yes++;
    else if (v === false) no++;
  }
  if (yes >= need) return "won";
  if (voters.length - no < need) return "lost";
  return "pending";
}

/** True when the members in `active` form a majority of voters. */
export function hasQuorum(voters: readonly NodeId[], active: (id: NodeId) => boolean): boolean {
  let n = 0;
  for (const id of voters) if (active(id)) n++;
  return n >= majority(voters.length);
}
