// One change, every listener: held long-polls of the key, gRPC connections listening to it
// (ConfigChangeNotifyRequest through the coalescing pusher) and fuzzy watchers of matching patterns.
import { keyString } from "../model/config-key.ts";
import type { ConfigChange } from "../commands/command-effects.ts";
import type { ChangePusher } from "./change-pusher.ts";
import type { ConnectionListeners } from "./connection-listeners.ts";
import type { FuzzyWatchRegistry } from "./fuzzy-watch.ts";
import type { LongPollRegistry } from "./long-poll-registry.ts";

export class ChangeFanout {
  private pusher: ChangePusher | undefined;
  private fuzzy: FuzzyWatchRegistry | undefined;

  constructor(
    private readonly longPolls: LongPollRegistry,
    private readonly listeners: ConnectionListeners,
  ) {}

  /** The gRPC side exists once the bridge is up. */
  attachGrpc(pusher: ChangePusher, fuzzy: FuzzyWatchRegistry): void {
    this.pusher = pusher;
    this.fuzzy = fuzzy;
  }

  changed(change: ConfigChange): void {
    const key = keyString(change.key);
    this.longPolls.changed(key);
    const listeners = this.listeners.listenersOf(key);
    if (listeners && this.pusher) {
      for (const [connectionId, target] of listeners) {
        const body: Record<string, unknown> = { module: "config", dataId: target.dataId, group: target.group };
        // A client that named no tenant gets none back (Nacos: tenant null for a "transferred" namespace).
        if (target.tenant !== "") body.tenant = target.tenant;
        this.pusher.notify(connectionId, key, body);
      }
    }
    this.fuzzy?.changed(change);
  }
}
