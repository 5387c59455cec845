// The naming domain as a server module: builds the registry, the service every protocol calls,
// heartbeat expiry, persistent-instance probes, push and fuzzy watch from the settings, mounts the
// HTTP routes, and runs their timers with the server's lifecycle.
import type { ModuleContext, ServerModule } from "../server-module.ts";
import { namingV1Native } from "../http/openapi/naming-v1-native.ts";
import { BeatChecker } from "./heartbeat/beat-checker.ts";
import type { HeartbeatTiming } from "./model/instance.ts";
import { NamingService } from "./naming-service.ts";
import { namingMetrics } from "./naming-metrics.ts";
import { loadPersistentState, registerNamingCommands } from "./persistent/persistent-commands.ts";
import { PersistentProber } from "./probe/persistent-prober.ts";
import { probeTarget } from "./probe/probes.ts";
import { NamingPush } from "./push/naming-push.ts";
import { SubscriberRegistry } from "./push/subscriber-registry.ts";
import { UdpPusher } from "./push/udp-pusher.ts";
import { NamingRegistry } from "./registry/naming-registry.ts";
import { FuzzyWatchNotifier } from "./fuzzy-watch/fuzzy-watch-notifier.ts";
import { FuzzyWatchRegistry } from "./fuzzy-watch/fuzzy-watch-registry.ts";
import { realTimers } from "./timers.ts";
import type { GrpcServer, JsonObject } from "../grpc/index.ts";
import { registerNamingInstance } from "../grpc/handlers/naming-instance.ts";
import { registerNamingBatchInstance } from "../grpc/handlers/naming-batch-instance.ts";
import { registerNamingPersistentInstance } from "../grpc/handlers/naming-persistent-instance.ts";
import { registerNamingServiceQuery } from "../grpc/handlers/naming-service-query.ts";
import { registerNamingServiceList } from "../grpc/handlers/naming-service-list.ts";
import { registerNamingSubscribeService } from "../grpc/handlers/naming-subscribe-service.ts";
import { registerNamingFuzzyWatch } from "../grpc/handlers/naming-fuzzy-watch.ts";

/** How often heartbeats are checked and idle entries swept. */
const CHECK_INTERVAL_MS = 1000;
/** Clients are told to beat this often unless their metadata says otherwise (Nacos default). */
const DEFAULT_BEAT_INTERVAL_MS = 5000;
/** An empty, undefined, unwatched service is forgotten after this (Nacos empty-service cleaner). */
const EMPTY_SERVICE_GRACE_MS = 60_000;
/** A 1.x client that stopped asking for a service stops getting UDP pushes (Nacos client expiry). */
const UDP_SUBSCRIBER_TTL_MS = 180_000;

export interface NamingParts {
  service: NamingService;
  registry: NamingRegistry;
  subscribers: SubscriberRegistry;
  push: NamingPush;
  checker: BeatChecker;
  prober: PersistentProber;
  fuzzy: FuzzyWatchNotifier;
}

export function namingModule(ctx: ModuleContext): ServerModule & { parts: NamingParts } {
  const s = ctx.settings;
  const log = ctx.log.child("naming");
  const timers = realTimers(ctx.now);
  const timing: HeartbeatTiming = {
    intervalMs: DEFAULT_BEAT_INTERVAL_MS,
    unhealthyAfterMs: s.namingHealthTimeoutSecond * 1000,
    removeAfterMs: s.namingInstanceTimeoutSecond * 1000,
  };

  const registry = new NamingRegistry((err) => log.error("naming event listener failed", { error: (err as Error)?.stack ?? String(err) }));
  const subscribers = new SubscriberRegistry();
  registerNamingCommands(ctx.stateMachine, registry);
  const loaded = loadPersistentState(ctx.db, registry, ctx.now());
  ctx.stateMachine.onRestore(() => loadPersistentState(ctx.db, registry, ctx.now()));

  const service = new NamingService({ registry, subscribers, proposer: ctx.proposer, now: ctx.now, timing, log });
  const udp = new UdpPusher(timers, { ackTimeoutMs: 2000, retries: 2 }, log);
  const push = new NamingPush(registry, subscribers, udp, timing, timers, { mergeWindowMs: s.namingPushMergeMillis, maxPerSecond: s.namingPushMaxPerSecond, maxInFlight: 2048 }, log);
  registry.onEvent(push.onEvent);
  const fuzzy = new FuzzyWatchNotifier(new FuzzyWatchRegistry(), registry, log);
  registry.onEvent(fuzzy.onEvent);
  const checker = new BeatChecker(
    registry,
    { enabled: s.namingSelfPreservationEnable, threshold: s.namingSelfPreservationThreshold, minInstances: s.namingSelfPreservationMinInstances },
    log,
  );
  const probeIntervalMs = s.namingPerpetualInstanceProbeIntervalSecond * 1000;
  const prober = new PersistentProber(
    registry,
    probeTarget,
    (key, ip, port, healthy) => service.setPersistentHealth(key, ip, port, healthy),
    { isProbingNode: () => ctx.leadership.isLeader(), intervalMs: probeIntervalMs, timeoutMs: Math.max(500, Math.min(3000, probeIntervalMs / 2)), consecutive: 2, concurrency: 64 },
    log,
  );
  const metrics = () => namingMetrics(registry, subscribers, checker.status(), push.stats(), service.beatCount);

  let tick: ReturnType<typeof setInterval> | undefined;
  return {
    name: "naming",
    parts: { service, registry, subscribers, push, checker, prober, fuzzy },
    nativeHttpRoutes: namingV1Native(service, { maxBodyBytes: s.httpMaxBodySize, maxUrlLength: s.httpMaxUrlLength, maxHeaderBytes: s.httpMaxHeaderSize }, log),
    httpRoutes: async () => (await import("../http/openapi/naming-http-routes.ts")).namingHttpRoutes(service, metrics, () => ctx.state.ready, log),
    registerGrpc(grpc: GrpcServer) {
      registerNamingInstance(grpc.handlers, service);
      registerNamingBatchInstance(grpc.handlers, service);
      registerNamingPersistentInstance(grpc.handlers, service);
      registerNamingServiceQuery(grpc.handlers, service);
      registerNamingServiceList(grpc.handlers, service);
      registerNamingSubscribeService(grpc.handlers, service);
      registerNamingFuzzyWatch(grpc.handlers, fuzzy);
      push.useGrpc((connectionId, body) => grpc.push(connectionId, "NotifySubscriberRequest", body as JsonObject));
      fuzzy.useGrpc((connectionId, type, body) => grpc.push(connectionId, type, body as JsonObject));
      grpc.connections.on("disconnected", (connection) => {
        service.connectionClosed(connection.id);
        fuzzy.dropConnection(connection.id);
      });
    },
    async start() {
      await udp.start(s.sdkHost);
      tick = setInterval(() => {
        const now = ctx.now();
        checker.check(now);
        registry.pruneEmpty(now, EMPTY_SERVICE_GRACE_MS, (entry) => subscribers.countOf(entry.id) > 0);
        subscribers.expireUdp(now, UDP_SUBSCRIBER_TTL_MS);
      }, CHECK_INTERVAL_MS);
      prober.start();
      log.info("naming ready", { persistentServices: loaded.services, persistentInstances: loaded.instances, udpPushPort: udp.port });
    },
    drain() {
      // Clients of a draining node move elsewhere; nothing they own is reported dead meanwhile.
      service.beginDrain();
      checker.pause();
    },
    stop() {
      if (tick) clearInterval(tick);
      prober.stop();
      push.stop();
      udp.stop();
    },
  };
}
