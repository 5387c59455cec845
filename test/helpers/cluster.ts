// Several real rnacos processes forming one Raft cluster on free ports: node 1 founds it, the
// others join through it. Nodes can be killed and restarted with their data dir.
import { join } from "node:path";
import { freePort, runRnacos, startServer, tempDir, waitFor, type RunResult, type ServerProcess } from "./server.ts";

export const CLUSTER_TOKEN = "test-cluster-token";

export interface ClusterNode {
  id: number;
  dataDir: string;
  env: Record<string, string>;
  server: ServerProcess | undefined;
}

export interface RaftMetricsBody {
  id: number;
  state: string;
  current_term: number;
  current_leader: number | null;
  commit_index: number;
  last_applied: number;
  membership_config: { members: number[] };
  learners: number[];
}

export class TestCluster {
  readonly nodes: ClusterNode[] = [];

  /** `binary`: run a built executable (benchmarks) instead of the source. */
  private constructor(private readonly binary?: string) {}

  static async start(size: number, extraEnv: Record<string, string> = {}, binary?: string): Promise<TestCluster> {
    const cluster = new TestCluster(binary);
    const root = tempDir("rnacos-cluster-");
    for (let id = 1; id <= size; id++) {
      const [http, grpc, consolePort] = [await freePort(), await freePort(), await freePort()];
      cluster.nodes.push({
        id,
        dataDir: join(root, `node${id}`),
        env: {
          RNACOS_HTTP_PORT: String(http),
          RNACOS_GRPC_PORT: String(grpc),
          RNACOS_HTTP_CONSOLE_PORT: String(consolePort),
          RNACOS_RAFT_NODE_ID: String(id),
          RNACOS_RAFT_NODE_ADDR: `127.0.0.1:${grpc}`,
          RNACOS_CLUSTER_TOKEN: CLUSTER_TOKEN,
          ...extraEnv,
        },
        server: undefined,
      });
    }
    const seed = cluster.nodes[0]!;
    for (const node of cluster.nodes) {
      if (node !== seed) node.env.RNACOS_RAFT_JOIN_ADDR = seed.env.RNACOS_RAFT_NODE_ADDR!;
      await cluster.startNode(node.id);
    }
    await cluster.waitForVoters(size);
    return cluster;
  }

  node(id: number): ClusterNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  live(): ClusterNode[] {
    return this.nodes.filter((n) => n.server && n.server.proc.exitCode === null && n.server.proc.signalCode === null);
  }

  url(id: number): string {
    return `http://127.0.0.1:${this.node(id).env.RNACOS_HTTP_PORT}`;
  }

  async startNode(id: number, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
    const node = this.node(id);
    node.server = await startServer({ env: { ...node.env, ...extraEnv }, dataDir: node.dataDir, readyTimeoutMs: 30_000, binary: this.binary });
    return node.server;
  }

  async kill(id: number): Promise<void> {
    await this.node(id).server?.kill();
  }

  async metrics(id: number): Promise<RaftMetricsBody> {
    const res = await fetch(`${this.url(id)}/nacos/v1/raft/metrics`);
    return (await res.json()) as RaftMetricsBody;
  }

  /** The leader every live node agrees on. */
  async leader(timeoutMs = 10_000): Promise<number> {
    return waitFor(
      "an agreed leader",
      async () => {
        const views = await Promise.all(this.live().map((n) => this.metrics(n.id).catch(() => undefined)));
        const leaders = new Set(views.map((v) => v?.current_leader ?? null));
        const [only] = [...leaders];
        return leaders.size === 1 && only !== null && only !== undefined && views.some((v) => v?.id === only && v.state === "Leader") ? only : undefined;
      },
      timeoutMs,
      25,
    );
  }

  async waitForVoters(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${count} voters`,
      async () => {
        const leader = await this.leader(timeoutMs);
        const m = await this.metrics(leader);
        return m.membership_config.members.length === count && m.learners.length === 0 ? true : undefined;
      },
      timeoutMs,
      50,
    );
  }

  /** `rnacos cluster ...` pointed at node `id`. */
  cli(id: number, args: string[], token = CLUSTER_TOKEN): Promise<RunResult> {
    return runRnacos(["cluster", ...args], { env: { RNACOS_HTTP_PORT: this.node(id).env.RNACOS_HTTP_PORT!, RNACOS_SDK_HOST: "127.0.0.1", RNACOS_CLUSTER_TOKEN: token } });
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.server?.kill()));
  }
}
