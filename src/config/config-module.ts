// The configuration center as a server module: registers its replicated commands and tables, loads the
// read model from SQLite (again after a snapshot install, announcing what changed), serves its HTTP
// routes, and answers held long-polls when the server drains.
import type { ModuleContext, ServerModule } from "../server-module.ts";
import { ConfigIndex } from "./config-index.ts";
import { ConfigService } from "./config-service.ts";
import type { ConfigApi } from "./config-api.ts";
import { registerConfigCommands, tablesProvider } from "./commands/register-commands.ts";
import type { ConfigChange } from "./commands/command-effects.ts";
import { HistoryService } from "./history/history-service.ts";
import { NamespaceService } from "./namespace/namespace-service.ts";
import { ConfigTransfer } from "./transfer/config-transfer.ts";
import { LongPollRegistry } from "./listen/long-poll-registry.ts";
import { ConnectionListeners } from "./listen/connection-listeners.ts";
import { ChangeFanout } from "./listen/change-fanout.ts";
import { realTimers, type Timers } from "./listen/timers.ts";
import { parseKeyString, keyString } from "./model/config-key.ts";
import { configV1Post } from "../http/openapi/config-v1-post.ts";
import { configV1Get, CONFIGS_PATH } from "../http/openapi/config-v1-get.ts";
import type { GrpcServer } from "../grpc/index.ts";
import { registerConfigHandlers } from "../grpc/handlers/config-handlers.ts";
import { ChangePusher } from "./listen/change-pusher.ts";
import { FuzzyWatchRegistry } from "./listen/fuzzy-watch.ts";
import { ConfigListening } from "./listen/config-listening.ts";

export interface ConfigModule extends ServerModule {
  api: ConfigApi;
  listeners: ConnectionListeners;
  fanout: ChangeFanout;
}

export function configModule(ctx: ModuleContext, timers: Timers = realTimers): ConfigModule {
  const log = ctx.log.child("config");
  const index = new ConfigIndex();
  const tables = tablesProvider();
  const longPolls = new LongPollRegistry(index, timers);
  const listeners = new ConnectionListeners();
  const fanout = new ChangeFanout(longPolls, listeners);
  const changed = (c: ConfigChange) => fanout.changed(c);
  registerConfigCommands(ctx.stateMachine, { index, changed }, tables);
  index.load(tables(ctx.db));
  ctx.stateMachine.onRestore(() => reloadAfterRestore(index, tables(ctx.db), changed));

  const configs = new ConfigService({ proposer: ctx.proposer, index, now: ctx.now, maxContentBytes: ctx.settings.configMaxContent });
  const namespaces = new NamespaceService(ctx.proposer, index, ctx.now);
  const api: ConfigApi = {
    configs,
    history: new HistoryService(tables(ctx.db), index),
    namespaces,
    transfer: new ConfigTransfer({ proposer: ctx.proposer, index, namespaces, now: ctx.now, maxContentBytes: ctx.settings.configMaxContent }),
    longPolls,
    listening: new ConfigListening(index, listeners, longPolls),
    now: ctx.now,
  };
  log.debug("configs loaded", { configs: index.size, namespaces: index.namespaces().length });

  const limits = { maxBodyBytes: ctx.settings.httpMaxBodySize, maxUrlLength: ctx.settings.httpMaxUrlLength, maxHeaderBytes: ctx.settings.httpMaxHeaderSize };
  const httpLog = ctx.log.child("http");
  return {
    name: "config",
    api,
    listeners,
    fanout,
    nativeHttpRoutes: {
      [CONFIGS_PATH]: { GET: configV1Get(api, limits, httpLog), POST: configV1Post(api, limits, httpLog) },
    },
    httpRoutes: async () => (await import("../http/openapi/config-http-routes.ts")).configHttpRoutes(api),
    registerGrpc(grpc: GrpcServer) {
      const push = (connectionId: string, type: string, body: Record<string, unknown>) => grpc.push(connectionId, type, body);
      const pusher = new ChangePusher(push, log);
      const fuzzy = new FuzzyWatchRegistry(index, push, log);
      fanout.attachGrpc(pusher, fuzzy);
      registerConfigHandlers(grpc.handlers, { configs, listening: api.listening, fuzzy });
      grpc.connections.on("disconnected", (connection) => {
        listeners.dropConnection(connection.id);
        pusher.drop(connection.id);
        fuzzy.dropConnection(connection.id);
      });
    },
    drain() {
      longPolls.drain();
    },
  };
}

/** Reloads the index and announces every key whose readable versions changed (listeners re-read). */
function reloadAfterRestore(index: ConfigIndex, tables: Parameters<ConfigIndex["load"]>[0], changed: (c: ConfigChange) => void): void {
  const before = versionsOf(index);
  index.load(tables);
  const after = versionsOf(index);
  for (const [k, v] of after) {
    const old = before.get(k);
    if (old?.signature !== v.signature) changed({ key: parseKeyString(k), formalBefore: old?.formal ?? false, formalAfter: v.formal });
  }
  for (const [k, v] of before) if (!after.has(k)) changed({ key: parseKeyString(k), formalBefore: v.formal, formalAfter: false });
}

function versionsOf(index: ConfigIndex): Map<string, { signature: string; formal: boolean }> {
  const out = new Map<string, { signature: string; formal: boolean }>();
  for (const c of index.formals()) out.set(keyString(c), { signature: c.md5, formal: true });
  for (const [key, grays] of index.grayEntries()) {
    const k = keyString(key);
    const own = out.get(k);
    out.set(k, { signature: `${own?.signature ?? ""}|${grays.map((g) => `${g.grayName}:${g.md5}:${g.expr}`).join(",")}`, formal: own?.formal ?? false });
  }
  return out;
}
