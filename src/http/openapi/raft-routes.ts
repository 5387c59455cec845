// Cluster administration over HTTP: r-nacos's /nacos/v1/raft/metrics and joinnode, plus the
// endpoints `rnacos cluster ...` calls. Changes need the cluster token when one is set.
import { Elysia } from "elysia";
import { timingSafeEqual } from "node:crypto";
import type { RaftNode } from "../../raft/node/raft-node.ts";
import { DomainError, invalid } from "../../errors.ts";

export const TOKEN_HEADER = "rnacos-cluster-token";

const STATE_NAME: Record<string, string> = { leader: "Leader", follower: "Follower", candidate: "Candidate", preCandidate: "Candidate" };

function requireToken(token: string, headers: Record<string, string | undefined>): void {
  if (!token) return;
  const given = Buffer.from(headers[TOKEN_HEADER] ?? "");
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new DomainError("unauthorized", `cluster token missing or wrong: send header ${TOKEN_HEADER} (RNACOS_CLUSTER_TOKEN)`);
  }
}

function nodeIdOf(body: unknown): number {
  const id = Number((body as { nodeId?: unknown } | null)?.nodeId);
  if (!Number.isSafeInteger(id) || id <= 0) throw invalid("nodeId must be a positive integer");
  return id;
}

export function raftRoutes(raft: RaftNode, token: string) {
  const ok = { ok: 1 };
  return new Elysia({ name: "raft-admin" })
    .get("/nacos/v1/raft/metrics", () => {
      const m = raft.metrics();
      return {
        id: m.id,
        state: STATE_NAME[m.role] ?? m.role,
        current_term: m.term,
        last_log_index: m.lastLogIndex,
        last_applied: m.appliedIndex,
        current_leader: m.leader === 0 ? null : m.leader,
        membership_config: { members: m.voters, members_after_consensus: null },
        commit_index: m.commitIndex,
        first_log_index: m.firstLogIndex,
        learners: m.learners,
        members: m.members,
        addr: m.addr,
        log_writes: m.logWrites,
      };
    })
    // r-nacos: body [nodeId, addr] asks the cluster to add that node.
    .post("/nacos/v1/raft/joinnode", async ({ body, headers }) => {
      requireToken(token, headers);
      if (!Array.isArray(body) || body.length !== 2) throw invalid("body must be [nodeId, \"host:port\"]");
      const [nodeId, addr] = body as [unknown, unknown];
      await raft.changeMembership({ action: "join", nodeId: nodeIdOf({ nodeId }), addr: String(addr) });
      return ok;
    })
    .post("/nacos/v1/raft/cluster/join", async ({ body, headers }) => {
      requireToken(token, headers);
      const addr = String((body as { addr?: unknown } | null)?.addr ?? "");
      if (!/^[^\s:]+:\d{1,5}$/.test(addr)) throw invalid("addr must be host:port of a cluster member");
      await raft.joinCluster(addr);
      return ok;
    })
    .post("/nacos/v1/raft/cluster/leave", async ({ headers }) => {
      requireToken(token, headers);
      await raft.changeMembership({ action: "remove", nodeId: raft.metrics().id });
      return ok;
    })
    .post("/nacos/v1/raft/cluster/remove", async ({ body, headers }) => {
      requireToken(token, headers);
      await raft.changeMembership({ action: "remove", nodeId: nodeIdOf(body) });
      return ok;
    })
    .post("/nacos/v1/raft/cluster/transfer-leader", async ({ body, headers }) => {
      requireToken(token, headers);
      await raft.changeMembership({ action: "transferLeader", nodeId: nodeIdOf(body) });
      return ok;
    });
}
