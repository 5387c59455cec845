// Console API: what this node is (version, phase, ports), for the console's start page.
import { Elysia } from "elysia";
import type { NodeState } from "../../node-state.ts";
import type { Settings } from "../../cli/settings.ts";
import { VERSION } from "../../version.ts";

export function serverStateRoutes(state: NodeState, settings: Settings) {
  return new Elysia({ name: "console-server-state" }).get("/rnacos/api/console/v2/server/state", () => ({
    code: 200,
    success: true,
    data: {
      version: VERSION,
      nodeId: settings.raftNodeId,
      phase: state.phase,
      httpPort: settings.httpPort,
      grpcPort: settings.grpcPort,
      consolePort: settings.httpConsolePort,
      dataDir: settings.dataDir,
      startedAt: state.startedAt,
    },
  }));
}
