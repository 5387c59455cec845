// Composition root: builds every part from the settings, starts them in order, stops them in reverse.
import type { Server } from "bun";
import type { Settings } from "./cli/settings.ts";
import type { Logger } from "./log.ts";
import { NodeState } from "./node-state.ts";
import { openStore, type Store } from "./store/database.ts";
import { DataDirLockedError } from "./store/data-dir-lock.ts";
import { StartupError } from "./startup-error.ts";
import { listen } from "./http/listen.ts";
import { openApiApp } from "./http/openapi/openapi-app.ts";
import { consoleApp } from "./http/console/console-app.ts";
import type { RequestLimits } from "./http/request-limits.ts";
import { VERSION } from "./version.ts";
import { StateMachine } from "./raft/state-machine.ts";
import { DirectApply } from "./raft/direct-apply.ts";
import type { ModuleContext, ServerModule } from "./server-module.ts";
import { namingModule } from "./naming/naming-module.ts";

/** Every domain, in start order. */
function buildModules(ctx: ModuleContext): ServerModule[] {
  return [namingModule(ctx)];
}

export interface RunningServer {
  state: NodeState;
  store: Store;
  /** Drains: readiness 503, no new connections, in-flight work finishes (bounded), SQLite closed. */
  stop(): Promise<void>;
}

export async function startServer(settings: Settings, log: Logger): Promise<RunningServer> {
  const state = new NodeState();
  const store = openStoreOrExplain(settings.dataDir);
  if (store.migrated.length > 0) log.child("store").info("schema migrated", { versions: store.migrated.join(",") });

  const stateMachine = new StateMachine(store.db);
  const ctx: ModuleContext = {
    settings,
    log,
    db: store.db,
    stateMachine,
    proposer: new DirectApply(stateMachine),
    state,
    now: Date.now,
  };
  const modules = buildModules(ctx);

  const limits: RequestLimits = {
    maxBodyBytes: settings.httpMaxBodySize,
    maxUrlLength: settings.httpMaxUrlLength,
    maxHeaderBytes: settings.httpMaxHeaderSize,
  };
  const servers: Server<unknown>[] = [];
  const reserved: { stop(): void }[] = [];
  try {
    const httpLog = log.child("http");
    servers.push(
      listen(openApiApp({ state, limits, log: httpLog, plugins: modules.flatMap((m) => m.httpRoutes ?? []) }), {
        hostname: settings.sdkHost,
        port: settings.httpPort,
        setting: "RNACOS_HTTP_PORT",
        maxBodyBytes: limits.maxBodyBytes,
      }),
    );
    servers.push(
      listen(consoleApp({ state, settings, limits, log: httpLog, plugins: modules.flatMap((m) => m.consoleRoutes ?? []) }), {
        hostname: settings.consoleHost,
        port: settings.httpConsolePort,
        setting: "RNACOS_HTTP_CONSOLE_PORT",
        maxBodyBytes: limits.maxBodyBytes,
      }),
    );
    reserved.push(reserveGrpcPort(settings));
    for (const m of modules) await m.start?.();
  } catch (err) {
    for (const s of servers) s.stop(true);
    for (const m of modules) m.stop?.();
    store.close();
    throw err;
  }

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

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      state.markDraining();
      log.info("draining", { timeoutSecond: settings.shutdownTimeoutSecond });
      for (const m of modules) await m.drain?.();
      for (const r of reserved) r.stop();
      const graceful = Promise.all(servers.map((s) => s.stop(false)));
      const finished = await Promise.race([graceful.then(() => true), sleep(settings.shutdownTimeoutSecond * 1000).then(() => false)]);
      if (!finished) {
        log.warn("in-flight requests did not finish in time; closing them", { timeoutSecond: settings.shutdownTimeoutSecond });
        await Promise.all(servers.map((s) => s.stop(true)));
      }
      for (const m of [...modules].reverse()) m.stop?.();
      store.close();
      log.info("stopped");
    })());
  return { state, store, stop };
}

function openStoreOrExplain(dir: string): Store {
  try {
    return openStore(dir);
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new StartupError(err.message);
    const message = err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot open the database in ${dir}: ${message}`);
  }
}

/** Holds the gRPC port so nothing else takes it; the gRPC bridge replaces this. */
function reserveGrpcPort(settings: Settings): { stop(): void } {
  try {
    const listener = Bun.listen({
      hostname: settings.sdkHost,
      port: settings.grpcPort,
      socket: { open: (socket) => void socket.end(), data: () => {} },
    });
    return { stop: () => listener.stop(true) };
  } catch (err) {
    if ((err as { code?: string }).code === "EADDRINUSE") {
      throw new StartupError(`port ${settings.grpcPort} (RNACOS_GRPC_PORT) on ${settings.sdkHost} is already in use; stop the other process or set RNACOS_GRPC_PORT`);
    }
    throw err;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
