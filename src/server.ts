// Composition root: builds every part from the settings, starts them in order, stops them in reverse.
import type { Settings } from "./cli/settings.ts";
import type { Logger } from "./log.ts";
import { NodeState } from "./node-state.ts";
import { openStore, type Store } from "./store/database.ts";
import { DataDirLockedError } from "./store/data-dir-lock.ts";
import { StartupError } from "./startup-error.ts";
import { listen, type Port } from "./http/listen.ts";
import { healthRoutes } from "./http/health-routes.ts";
import { consolePageRoutes } from "./http/console/console-page.ts";
import type { RequestLimits } from "./http/request-limits.ts";
import { VERSION } from "./version.ts";
import { StateMachine } from "./raft/state-machine.ts";
import { RaftNode } from "./raft/node/raft-node.ts";
import { GrpcTransport } from "./raft/transport/grpc-transport.ts";
import type { ModuleContext, ServerModule } from "./server-module.ts";
import type { RoutePlugin } from "./http/openapi/openapi-app.ts";
import { createGrpcServer, type GrpcServer } from "./grpc/index.ts";
import { allowAll } from "./auth/access.ts";
import { configModule } from "./config/config-module.ts";
import { namingModule } from "./naming/naming-module.ts";

/** Every domain, in start order. */
function buildModules(ctx: ModuleContext): ServerModule[] {
  return [configModule(ctx), namingModule(ctx)];
}

export interface RunningServer {
  state: NodeState;
  store: Store;
  /** Drains: readiness 503, no new connections, in-flight work finishes (bounded), SQLite closed. */
  stop(): Promise<void>;
}

export async function startServer(settings: Settings, log: Logger): Promise<RunningServer> {
  const state = new NodeState();
  const store = openStoreOrExplain(settings.dataDir, log.child("store"));
  if (store.migrated.length > 0) log.child("store").info("schema migrated", { versions: store.migrated.join(",") });

  const stateMachine = new StateMachine(store.db);
  const grpc = buildGrpc(settings, log, state);
  const raft = new RaftNode({
    id: settings.raftNodeId,
    wal: store,
    addr: settings.raftNodeAddr,
    dataDir: settings.dataDir,
    db: store.db,
    raftDb: store.raftDb,
    stateMachine,
    transport: new GrpcTransport({ selfId: settings.raftNodeId, selfAddr: settings.raftNodeAddr, token: settings.clusterToken, dataDir: settings.dataDir, log: log.child("cluster"), addMethod: (path, method) => grpc.addMethod(path, method) }),
    log: log.child("raft"),
    autoInit: settings.raftAutoInit,
    joinAddr: settings.raftJoinAddr,
    snapshotLogSize: settings.raftSnapshotLogSize,
    proposalTimeoutMs: settings.raftWriteTimeoutSecond * 1000,
  });
  const ctx: ModuleContext = { settings, log, db: store.db, stateMachine, proposer: raft, leadership: { isLeader: () => raft.isLeader }, state, now: Date.now };
  // Modules register their commands before Raft starts: entries committed before a restart replay at start.
  const modules = buildModules(ctx);
  for (const m of modules) m.registerGrpc?.(grpc);
  raft.start();

  const limits: RequestLimits = {
    maxBodyBytes: settings.httpMaxBodySize,
    maxUrlLength: settings.httpMaxUrlLength,
    maxHeaderBytes: settings.httpMaxHeaderSize,
  };
  const ports: Port[] = [];
  try {
    // A new database's file and directory were being fsynced meanwhile; no request (and no peer,
    // which talks to the gRPC port) is taken before they are on disk.
    await store.durable.catch((err: Error) => {
      throw new StartupError(`cannot make the new database in ${settings.dataDir} durable: ${err.message}`);
    });
    const httpLog = log.child("http");
    const sdkRoutes = Object.assign(healthRoutes(state, limits), ...modules.map((m) => m.nativeHttpRoutes ?? {}));
    ports.push(
      listen(
        async () => {
          const [{ openApiApp }, { raftRoutes }, plugins] = await Promise.all([
            import("./http/openapi/openapi-app.ts"),
            import("./http/openapi/raft-routes.ts"),
            routePlugins(modules, (m) => m.httpRoutes),
          ]);
          return openApiApp({ limits, log: httpLog, plugins: [raftRoutes(raft, settings.clusterToken), ...plugins] });
        },
        () => sdkRoutes,
        {
          hostname: settings.sdkHost,
          port: settings.httpPort,
          setting: "RNACOS_HTTP_PORT",
          maxBodyBytes: limits.maxBodyBytes,
        },
      ),
    );
    ports.push(
      listen(
        async () => {
          const [{ consoleApp }, plugins] = await Promise.all([import("./http/console/console-app.ts"), routePlugins(modules, (m) => m.consoleRoutes)]);
          return consoleApp({ state, settings, limits, log: httpLog, plugins });
        },
        (toApp) => ({ ...consolePageRoutes(toApp), ...healthRoutes(state, limits) }),
        {
          hostname: settings.consoleHost,
          port: settings.httpConsolePort,
          setting: "RNACOS_HTTP_CONSOLE_PORT",
          maxBodyBytes: limits.maxBodyBytes,
        },
      ),
    );
    await startGrpc(grpc, settings);
    for (const m of modules) await m.start?.();
  } catch (err) {
    for (const p of ports) p.server.stop(true);
    await grpc.stop();
    for (const m of modules) m.stop?.();
    raft.stop();
    store.close();
    throw err;
  }

  if (!raft.ready) log.info("listening; not ready until this node has joined the cluster and caught up", { nodeId: settings.raftNodeId });
  raft.onReady(() => {
    if (state.phase !== "starting") return;
    state.markReady();
    log.info("rnacos ready", {
      version: VERSION,
      http: `${settings.sdkHost}:${settings.httpPort}`,
      grpc: `${settings.sdkHost}:${settings.grpcPort}`,
      console: `${settings.consoleHost}:${settings.httpConsolePort}`,
      dataDir: settings.dataDir,
      nodeId: settings.raftNodeId,
      readyMs: Math.round(performance.now()),
    });
  });
  // The ports already answer every route; their Elysia apps are built shortly after start, unless a
  // request came first and built one (start-up time, see listen.ts). Not at once: requests already
  // waiting, such as the readiness probe that just turned, are answered before the build.
  // The executable starts with raised JIT tier-up thresholds (build.ts: --compile-jit-policy), so
  // code that runs once at start is not compiled; from here on the normal policy applies.
  const warming = setTimeout(() => {
    Bun.unsafe.setJITPolicy(1);
    if (state.phase === "draining") return;
    for (const p of ports) p.warm().catch((err: Error) => log.error("cannot build the HTTP routes", { error: err.stack ?? String(err) }));
  }, APP_WARM_DELAY_MS);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      state.markDraining();
      clearTimeout(warming);
      log.info("draining", { timeoutSecond: settings.shutdownTimeoutSecond });
      await raft.handOffLeadership(Math.min(2000, settings.shutdownTimeoutSecond * 1000));
      for (const m of modules) await m.drain?.();
      // gRPC clients get ConnectResetRequest and move to another node; bounded by the bridge's drain timeout
      const grpcDrained = grpc.drain();
      const graceful = Promise.all([grpcDrained, ...ports.map((p) => p.server.stop(false))]);
      const finished = await Promise.race([graceful.then(() => true), sleep(settings.shutdownTimeoutSecond * 1000).then(() => false)]);
      if (!finished) {
        log.warn("in-flight requests did not finish in time; closing them", { timeoutSecond: settings.shutdownTimeoutSecond });
        await Promise.all([grpc.stop(), ...ports.map((p) => p.server.stop(true))]);
      }
      for (const m of [...modules].reverse()) m.stop?.();
      raft.stop();
      store.close();
      log.info("stopped");
    })());
  return { state, store, stop };
}

function openStoreOrExplain(dir: string, log: Logger): Store {
  try {
    return openStore(dir, { debug: (m) => log.debug(m), warn: (m) => log.warn(m) });
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new StartupError(err.message);
    const message = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot open the database in ${dir}: ${message}`);
  }
}

/** The Nacos 2.x gRPC bridge on RNACOS_GRPC_PORT; domains register their handlers through ServerModule.registerGrpc. */
function buildGrpc(settings: Settings, log: Logger, state: NodeState): GrpcServer {
  return createGrpcServer({
    host: settings.sdkHost,
    port: settings.grpcPort,
    maxMessageBytes: settings.grpcMaxMessageSize,
    maxConnections: settings.grpcMaxConnections,
    detectionTimeoutMs: settings.grpcDetectionTimeoutSecond * 1000,
    handshakeTimeoutMs: settings.grpcHandshakeTimeoutSecond * 1000,
    logDetection: settings.enableGrpcDetectionLog,
    drainTimeoutMs: Math.min(3000, settings.shutdownTimeoutSecond * 1000),
    log: log.child("grpc"),
    access: allowAll,
    isReady: () => state.ready,
  });
}

async function startGrpc(grpc: GrpcServer, settings: Settings): Promise<void> {
  try {
    await grpc.start();
  } catch (err) {
    if ((err as { code?: string }).code === "EADDRINUSE") {
      throw new StartupError(`port ${settings.grpcPort} (RNACOS_GRPC_PORT) on ${settings.sdkHost} is already in use; stop the other process or set RNACOS_GRPC_PORT`);
    }
    throw new StartupError((err as Error).message);
  }
}

/** Every module's route plugins of one kind (each module loads its own route code). */
async function routePlugins(modules: ServerModule[], kind: (m: ServerModule) => (() => Promise<RoutePlugin[]>) | undefined): Promise<RoutePlugin[]> {
  return (await Promise.all(modules.map((m) => kind(m)?.() ?? []))).flat();
}

/** How long after start the HTTP ports build their Elysia apps (if no request has built them yet). */
const APP_WARM_DELAY_MS = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
