// The safety properties the simulator checks after every step, kept as global registries so each
// check is O(1) amortised:
// - election safety:     at most one leader per term;
// - log matching:        entries with the same (index, term) on any two nodes have the same prefix
//                        (a chain hash per index, registered on first sight);
// - commit stability:    an index once committed (anywhere) never holds anything else;
// - leader completeness: a leader holds everything committed before its term;
// - state-machine safety: every node's applied sequence is a prefix of one history;
// - read safety:         a ReadIndex answer is never below what was committed when the read began.

import type { NodeId } from "../../src/raft/core/types.ts";

export class SimFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimFailure";
  }
}

export function fail(message: string): never {
  throw new SimFailure(message);
}

export class Checker {
  private readonly leaders = new Map<number, NodeId>();
  /** Chain hash of every (index, term) ever persisted anywhere, keyed "index:term". */
  private readonly chainsByEntry = new Map<string, number>();
  /** Chain hash at each committed index. */
  readonly committedChains: number[] = [];
  /** State-machine hash after applying each index. */
  private readonly smHashes: number[] = [];
  /** Entry key applied at each index (to find out whether a proposal made it). */
  readonly appliedKeys: number[] = [];
  /** Highest commit index any node has made durable, with the term of the node that saw it. */
  maxCommit = 0;
  private readonly commitMarks: { index: number; term: number }[] = [];
  private readonly readStarts = new Map<number, number>();
  readsChecked = 0;
  leadersSeen = 0;

  constructor(bootChain: number, bootSm: number) {
    this.committedChains[1] = bootChain;
    this.smHashes[1] = bootSm;
    this.maxCommit = 1;
    this.commitMarks.push({ index: 1, term: 0 });
  }

  onLeader(term: number, id: NodeId): void {
    const prev = this.leaders.get(term);
    if (prev === undefined) {
      this.leaders.set(term, id);
      this.leadersSeen++;
    } else if (prev !== id) {
      fail(`election safety: nodes ${prev} and ${id} are both leader of term ${term}`);
    }
  }

  /** A node persisted entry (index, term) with this chain hash. */
  onPersistEntry(node: NodeId, index: number, term: number, chain: number): void {
    const key = `${index}:${term}`;
    const prev = this.chainsByEntry.get(key);
    if (prev === undefined) this.chainsByEntry.set(key, chain);
    else if (prev !== chain) fail(`log matching: node ${node} holds entry ${key} with a different prefix`);
  }

  /** A node made commit index `to` durable (previously `from`); chainAt reads its durable log. */
  onCommit(node: NodeId, from: number, to: number, term: number, chainAt: (i: number) => number | undefined, floor: number): void {
    for (let i = Math.max(from + 1, floor); i <= to; i++) {
      const c = chainAt(i);
      if (c === undefined) fail(`node ${node} commits ${i} which it does not hold`);
      const prev = this.committedChains[i];
      if (prev === undefined) this.committedChains[i] = c;
      else if (prev !== c) fail(`commit safety: node ${node} committed a different entry at index ${i}`);
    }
    if (to > this.maxCommit) {
      this.maxCommit = to;
      this.commitMarks.push({ index: to, term });
    }
  }

  onApply(node: NodeId, index: number, chain: number | undefined, smHash: number, key: number): void {
    if (chain === undefined) fail(`node ${node} applies ${index} which is not in its durable log`);
    const committed = this.committedChains[index];
    if (committed === undefined) fail(`node ${node} applies ${index} before anyone made its commit durable`);
    if (committed !== chain) fail(`state-machine safety: node ${node} applies an uncommitted entry at ${index}`);
    const prev = this.smHashes[index];
    if (prev === undefined) {
      this.smHashes[index] = smHash;
      this.appliedKeys[index] = key;
    } else if (prev !== smHash) {
      fail(`state-machine safety: node ${node} applied sequence diverges at index ${index}`);
    }
  }

  onSnapshotInstall(node: NodeId, index: number, chain: number, smHash: number): void {
    const committed = this.committedChains[index];
    if (committed === undefined) fail(`node ${node} installs a snapshot at ${index} that nobody committed`);
    if (committed !== chain) fail(`node ${node} installs a snapshot at ${index} whose log differs from the committed one`);
    const prev = this.smHashes[index];
    if (prev !== undefined && prev !== smHash) fail(`node ${node} installs a snapshot whose state differs at ${index}`);
  }

  /**
   * Leader completeness: a leader of term T must hold the newest index known committed by a node
   * whose term was below T (the commit happened before T began).
   */
  checkLeader(node: NodeId, term: number, lastIndex: number, snapIndex: number, chainAt: (i: number) => number | undefined): void {
    let mark: { index: number; term: number } | undefined;
    for (let k = this.commitMarks.length - 1; k >= 0; k--) {
      if (this.commitMarks[k]!.term < term) {
        mark = this.commitMarks[k];
        break;
      }
    }
    if (mark === undefined) return;
    if (lastIndex < mark.index) fail(`leader completeness: leader ${node} (term ${term}) lacks committed index ${mark.index}`);
    const at = Math.max(mark.index, snapIndex);
    const c = chainAt(at);
    if (c !== this.committedChains[at]) fail(`leader completeness: leader ${node} (term ${term}) differs at committed index ${at}`);
  }

  readStart(id: number): void {
    this.readStarts.set(id, this.maxCommit);
  }

  onReadState(node: NodeId, id: number, index: number): void {
    const start = this.readStarts.get(id);
    if (start === undefined) return; // a duplicate answer for a read already checked
    if (index < start) fail(`read safety: node ${node} got read index ${index} for read ${id}, but ${start} was committed before it began`);
    this.readsChecked++;
  }
}
