// Tells fuzzy-watching connections about services (Nacos 3): after a watch, the services the
// client is missing or holds wrongly in NamingFuzzyWatchSyncRequest batches of 10 (then
// FINISH_FUZZY_WATCH_INIT_NOTIFY when it was initialising); afterwards each service that gains its
// first or loses its last instance in a NamingFuzzyWatchChangeNotifyRequest.
import type { Logger } from "../../log.ts";
import type { NamingEvent } from "../registry/naming-event.ts";
import type { NamingRegistry } from "../registry/naming-registry.ts";
import type { ServiceKey } from "../model/names.ts";
import { ADD_SERVICE, DELETE_SERVICE, type FuzzyWatchRegistry, type ServiceChange } from "./fuzzy-watch-registry.ts";

export const FUZZY_WATCH_INIT_NOTIFY = "FUZZY_WATCH_INIT_NOTIFY";
export const FINISH_FUZZY_WATCH_INIT_NOTIFY = "FINISH_FUZZY_WATCH_INIT_NOTIFY";
export const FUZZY_WATCH_DIFF_SYNC_NOTIFY = "FUZZY_WATCH_DIFF_SYNC_NOTIFY";
export const FUZZY_WATCH_RESOURCE_CHANGED = "FUZZY_WATCH_RESOURCE_CHANGED";
const BATCH_SIZE = 10;

export type ServerPush = (connectionId: string, type: string, body: Record<string, unknown>) => Promise<unknown>;

export class FuzzyWatchNotifier {
  private send: ServerPush | undefined;

  constructor(
    private readonly watches: FuzzyWatchRegistry,
    private readonly registry: NamingRegistry,
    private readonly log: Logger,
  ) {}

  useGrpc(send: ServerPush): void {
    this.send = send;
  }

  /** Registers the watch and, after the response went out, sends the client what it lacks. */
  watch(pattern: string, connectionId: string, received: string[], initializing: boolean): void {
    const changes = this.watches.watch(pattern, connectionId, received, () => this.populated());
    setImmediate(() => void this.sync(pattern, connectionId, changes, initializing));
  }

  cancel(pattern: string, connectionId: string): void {
    this.watches.cancel(pattern, connectionId);
  }

  dropConnection(connectionId: string): void {
    this.watches.dropConnection(connectionId);
  }

  onEvent = (event: NamingEvent): void => {
    if (event.type !== "service.populated" && event.type !== "service.emptied") return;
    const changedType = event.type === "service.populated" ? ADD_SERVICE : DELETE_SERVICE;
    for (const { connectionId, change } of this.watches.serviceChanged(event.service, changedType)) {
      this.push(connectionId, "NamingFuzzyWatchChangeNotifyRequest", { ...change, syncType: FUZZY_WATCH_RESOURCE_CHANGED, module: "naming" }).catch(() => {});
    }
  };

  private *populated(): Iterable<ServiceKey> {
    for (const entry of this.registry.entries()) if (entry.instances.size > 0) yield entry.key;
  }

  private async sync(pattern: string, connectionId: string, changes: ServiceChange[], initializing: boolean): Promise<void> {
    const syncType = initializing ? FUZZY_WATCH_INIT_NOTIFY : FUZZY_WATCH_DIFF_SYNC_NOTIFY;
    const batches: ServiceChange[][] = [];
    for (let i = 0; i < changes.length; i += BATCH_SIZE) batches.push(changes.slice(i, i + BATCH_SIZE));
    try {
      for (const [i, contexts] of batches.entries()) {
        await this.push(connectionId, "NamingFuzzyWatchSyncRequest", {
          groupKeyPattern: pattern,
          contexts,
          syncType,
          totalBatch: batches.length,
          currentBatch: i + 1,
          module: "naming",
        });
      }
      if (initializing) {
        await this.push(connectionId, "NamingFuzzyWatchSyncRequest", {
          groupKeyPattern: pattern,
          contexts: [],
          syncType: FINISH_FUZZY_WATCH_INIT_NOTIFY,
          totalBatch: batches.length,
          currentBatch: batches.length,
          module: "naming",
        });
      }
    } catch (err) {
      this.log.debug("fuzzy watch sync did not reach the client", { connection: connectionId, pattern, error: err });
    }
  }

  private push(connectionId: string, type: string, body: Record<string, unknown>): Promise<unknown> {
    if (!this.send) return Promise.reject(new Error("gRPC push is not wired"));
    return this.send(connectionId, type, body).catch((err: unknown) => {
      this.log.debug("fuzzy watch notification failed", { connection: connectionId, type, error: err });
      throw err;
    });
  }
}
