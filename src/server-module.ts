// How a domain plugs into the server: the composition root builds each module with the shared
// context, mounts its routes and gRPC handlers, and runs its lifecycle hooks in order.
import type { Database } from "bun:sqlite";
import type { Settings } from "./cli/settings.ts";
import type { Logger } from "./log.ts";
import type { NodeState } from "./node-state.ts";
import type { StateMachine } from "./raft/state-machine.ts";
import type { Proposer } from "./raft/proposer.ts";
import type { NativeRoutes, RoutePlugin } from "./http/openapi/openapi-app.ts";
import type { GrpcServer } from "./grpc/index.ts";

export interface ModuleContext {
  settings: Settings;
  log: Logger;
  db: Database;
  stateMachine: StateMachine;
  proposer: Proposer;
  /** Whether this node leads the Raft group now: for work exactly one node should do (probes). */
  leadership: { isLeader(): boolean };
  state: NodeState;
  /** Wall clock in ms; tests and the simulator may drive it. */
  now: () => number;
}

export interface ServerModule {
  name: string;
  /**
   * Routes on the SDK port (/nacos/...). Loaded (a dynamic import) and built with the port's Elysia
   * app, after start (see http/listen.ts), so Elysia and the route code are not loaded at start.
   */
  httpRoutes?: () => Promise<RoutePlugin[]>;
  /** Hot SDK-port routes Bun serves ahead of Elysia (they apply the request limits themselves). */
  nativeHttpRoutes?: NativeRoutes;
  /** Routes on the console port (/rnacos/api/console/...); loaded like httpRoutes. */
  consoleRoutes?: () => Promise<RoutePlugin[]>;
  /** Registers gRPC request handlers and connection listeners on the bridge. */
  registerGrpc?(grpc: GrpcServer): void;
  /** After the ports listen, before the node reports ready. */
  start?(): void | Promise<void>;
  /** On SIGTERM, after readiness turned 503 and before the ports close: end held requests early. */
  drain?(): void | Promise<void>;
  /** Last: stop timers. The database closes after every module stopped. */
  stop?(): void;
}
