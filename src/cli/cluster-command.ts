// `rnacos cluster <action>`: talks to the running node named by the same settings (its HTTP port)
// and prints what happened, or one line saying why not with exit code 1 (2 for bad usage).
import type { Settings } from "./settings.ts";

export const CLUSTER_ACTIONS = ["status", "join", "leave", "remove", "transfer-leader"] as const;
type Action = (typeof CLUSTER_ACTIONS)[number];

export class UsageError extends Error {}

function nodeUrl(settings: Settings): string {
  const host = settings.sdkHost === "0.0.0.0" || settings.sdkHost === "::" ? "127.0.0.1" : settings.sdkHost;
  return `http://${host.includes(":") ? `[${host}]` : host}:${settings.httpPort}`;
}

async function call(settings: Settings, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const url = nodeUrl(settings) + path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...(settings.clusterToken ? { "rnacos-cluster-token": settings.clusterToken } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new Error(`cannot reach rnacos at ${nodeUrl(settings)} (${(err as Error).message}); is it running? point at it with --http-port / RNACOS_HTTP_PORT`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // plain text body
    }
    throw new Error(`the node refused (${res.status}): ${message}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

interface Metrics {
  id: number;
  state: string;
  current_term: number;
  current_leader: number | null;
  commit_index: number;
  last_applied: number;
  last_log_index: number;
  members: { id: number; addr: string; role: string; match?: number }[];
}

function formatStatus(m: Metrics): string {
  const lines = [
    `node ${m.id}: ${m.state}, term ${m.current_term}, leader ${m.current_leader ?? "none"}`,
    `log: last ${m.last_log_index}, commit ${m.commit_index}, applied ${m.last_applied}`,
    "members:",
    ...m.members.map((x) => `  ${String(x.id).padEnd(4)} ${x.role.padEnd(8)} ${x.addr}${x.match !== undefined ? `  match ${x.match}` : ""}${x.id === m.current_leader ? "  (leader)" : ""}`),
  ];
  return lines.join("\n");
}

function positiveId(arg: string | undefined, action: Action): number {
  const id = Number(arg);
  if (!arg || !Number.isSafeInteger(id) || id <= 0) throw new UsageError(`rnacos cluster ${action} needs a node id (a positive integer)`);
  return id;
}

export async function runClusterCommand(action: string, arg: string | undefined, settings: Settings): Promise<string> {
  switch (action as Action) {
    case "status":
      return formatStatus((await call(settings, "GET", "/nacos/v1/raft/metrics")) as Metrics);
    case "join": {
      if (!arg || !/^[^\s:]+:\d{1,5}$/.test(arg)) throw new UsageError("rnacos cluster join needs the host:port (gRPC port) of a cluster member");
      await call(settings, "POST", "/nacos/v1/raft/cluster/join", { addr: arg });
      return `joined through ${arg}; this node catches up as a learner and becomes a voter when caught up`;
    }
    case "leave":
      await call(settings, "POST", "/nacos/v1/raft/cluster/leave");
      return "this node left the cluster";
    case "remove": {
      const nodeId = positiveId(arg, "remove");
      await call(settings, "POST", "/nacos/v1/raft/cluster/remove", { nodeId });
      return `node ${nodeId} removed`;
    }
    case "transfer-leader": {
      const nodeId = positiveId(arg, "transfer-leader");
      await call(settings, "POST", "/nacos/v1/raft/cluster/transfer-leader", { nodeId });
      return `leadership transfer to node ${nodeId} started`;
    }
    default:
      throw new UsageError(`unknown cluster action "${action}"; use one of: ${CLUSTER_ACTIONS.join(", ")}`);
  }
}
