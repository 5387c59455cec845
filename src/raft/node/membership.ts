// Who is in the cluster: membership changes the leader proposes (join as learner, promote,
// remove, transfer leadership), their application on every node, and the member address table
// the transport dials. One change at a time, as the core requires.
import type { Database } from "bun:sqlite";
import { invalid, unavailable } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { RawNode } from "../core/raw-node.ts";
import { decodeConfChange } from "../core/conf-change.ts";
import { ProposalDroppedError } from "../core/errors.ts";
import type { ConfChange, Entry, NodeId } from "../core/types.ts";
import type { PendingProposals } from "./pending-proposals.ts";
import type { SqliteRaftLog } from "./sqlite-raft-log.ts";
import type { MembershipRequest, RaftTransport } from "./transport.ts";

/** A learner is promoted once it holds at least the leader's snapshot point and trails the commit index by no more than this. */
const PROMOTION_LAG = 100;

export interface MembershipDeps {
  selfId: NodeId;
  db: Database;
  raftLog: SqliteRaftLog;
  transport: RaftTransport;
  proposals: PendingProposals;
  log: Logger;
  core(): RawNode;
  schedule(): void;
  proposalTimeoutMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Membership {
  private peerAddrs = new Map<NodeId, string>();

  constructor(private readonly deps: MembershipDeps) {}

  get peers(): ReadonlyMap<NodeId, string> {
    return this.peerAddrs;
  }

  /** Reloads the address table from SQLite (after a change or a snapshot) and hands it to the transport. */
  reloadPeers(): void {
    const rows = this.deps.db.query("SELECT node_id AS id, addr FROM cluster_member").all() as { id: number; addr: string }[];
    this.peerAddrs = new Map(rows.map((r) => [r.id, r.addr]));
    this.deps.transport.setPeers(this.peerAddrs);
  }

  /** Applies a committed membership entry inside the apply transaction. */
  applyEntry(e: Entry): void {
    const { db, raftLog, log, selfId } = this.deps;
    const cc = decodeConfChange(e.data);
    const conf = this.deps.core().applyConfChange(cc);
    raftLog.setConf(conf);
    if (cc.type === "removeNode") {
      db.run("DELETE FROM cluster_member WHERE node_id = ?", [cc.nodeId]);
    } else if (cc.context && cc.context.length > 0) {
      db.run("INSERT OR REPLACE INTO cluster_member (node_id, addr) VALUES (?, ?)", [cc.nodeId, decoder.decode(cc.context)]);
    }
    log.info("membership changed", { change: cc.type, nodeId: cc.nodeId, voters: conf.voters.join(","), learners: conf.learners.join(",") });
    if (cc.type === "removeNode" && cc.nodeId === selfId) log.warn("this node was removed from the cluster");
  }

  /** Asks a member (any: it forwards to the leader) to add this node as a learner. */
  async askToJoin(seed: string, selfAddr: string): Promise<void> {
    const outcome = await this.deps.transport
      .membership(seed, { action: "join", nodeId: this.deps.selfId, addr: selfAddr }, 10_000)
      .catch((err: Error) => ({ ok: false as const, message: `cannot reach ${seed}: ${err.message}`, leader: 0 }));
    if (!outcome.ok) throw unavailable(`join refused: ${outcome.message}`);
    this.deps.log.info("added to the cluster as a learner; catching up", { via: seed });
  }

  /** RNACOS_RAFT_JOIN_ADDR at start: keeps asking, with backoff, until the cluster takes us or we stop. */
  async joinWithRetries(seed: string, selfAddr: string, stopped: () => boolean): Promise<void> {
    let delay = 200;
    for (let attempt = 1; !stopped(); attempt++) {
      try {
        await this.askToJoin(seed, selfAddr);
        return;
      } catch (err) {
        this.deps.log.warn("join request failed; retrying", { via: seed, attempt, error: (err as Error).message, retryMs: delay });
      }
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }

  /** On the leader: turns a request into one membership change and resolves once it is applied here. */
  async changeAsLeader(req: MembershipRequest): Promise<void> {
    const core = this.deps.core();
    const conf = this.deps.raftLog.confNow();
    const isMember = conf.voters.includes(req.nodeId) || conf.learners.includes(req.nodeId);
    if (req.action === "transferLeader") {
      if (!conf.voters.includes(req.nodeId)) throw invalid(`node ${req.nodeId} is not a voter`);
      core.transferLeader(req.nodeId);
      this.deps.schedule();
      return;
    }
    let cc: ConfChange;
    if (req.action === "join") {
      if (!req.addr) throw invalid("join needs the node's address");
      if (isMember) return;
      cc = { type: "addLearner", nodeId: req.nodeId, context: encoder.encode(req.addr) };
    } else if (req.action === "promote") {
      if (conf.voters.includes(req.nodeId)) return;
      if (!conf.learners.includes(req.nodeId)) throw invalid(`node ${req.nodeId} is not a learner`);
      cc = { type: "addVoter", nodeId: req.nodeId };
    } else {
      if (!isMember) throw invalid(`node ${req.nodeId} is not a member`);
      if (conf.voters.length === 1 && conf.voters[0] === req.nodeId) throw invalid("cannot remove the last voter");
      cc = { type: "removeNode", nodeId: req.nodeId };
    }
    let placed: { index: number; term: number };
    try {
      placed = core.proposeConfChange(cc);
    } catch (err) {
      if (err instanceof ProposalDroppedError) throw unavailable(`membership change refused: ${err.message}`);
      throw err;
    }
    this.deps.schedule();
    await this.deps.proposals.add(placed.index, placed.term, this.deps.proposalTimeoutMs);
  }

  /** On the leader, now and then: promotes the first learner that has caught up. */
  promoteCaughtUpLearners(): void {
    const status = this.deps.core().status();
    if (!status.progress) return;
    for (const learner of status.conf.learners) {
      const p = status.progress.get(learner);
      if (!p || p.match === 0 || p.match < status.firstIndex - 1 || status.commit - p.match > PROMOTION_LAG) continue;
      this.deps.log.info("learner caught up; promoting to voter", { nodeId: learner, match: p.match, commit: status.commit });
      void this.changeAsLeader({ action: "promote", nodeId: learner }).catch((err: Error) =>
        this.deps.log.debug("promotion deferred", { nodeId: learner, reason: err.message }),
      );
      return;
    }
  }
}
