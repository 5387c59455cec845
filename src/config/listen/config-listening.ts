// gRPC listening (ConfigBatchListenRequest): a connection starts or stops listening to keys; on
// listen, the keys whose MD5 differs from what this client would read now are reported at once (the
// client fetches them), and every later change is pushed through the ChangeFanout.
import type { ConfigIndex } from "../config-index.ts";
import type { ClientIdentity } from "../gray/gray-match.ts";
import { keyStringOf, normalizeNamespace } from "../model/config-key.ts";
import { checkKey, invalidParam } from "../model/validation.ts";
import type { ConnectionListeners } from "./connection-listeners.ts";
import type { LongPollRegistry } from "./long-poll-registry.ts";

export interface ListenItem {
  dataId: string;
  group: string;
  /** As the client wrote it; echoed back. */
  tenant: string;
  md5: string;
}

/** Nacos caps one request's keys as it caps Listening-Configs. */
export const MAX_BATCH_LISTEN = 10_000;

export class ConfigListening {
  constructor(
    private readonly index: ConfigIndex,
    private readonly listeners: ConnectionListeners,
    private readonly longPolls: LongPollRegistry,
  ) {}

  /** Who listens to a key and which MD5 each holds, by client IP (Nacos's console listener query). */
  status(namespace: string, group: string, dataId: string): Record<string, string> {
    checkKey(namespace, group, dataId);
    const key = keyStringOf(normalizeNamespace(namespace), group, dataId);
    const out: Record<string, string> = {};
    for (const t of this.listeners.listenersOf(key)?.values() ?? []) out[t.clientIp] = t.md5;
    for (const h of this.longPolls.holdersOf(key)) out[h.ip] = h.md5;
    return out;
  }

  /** Registers the keys for the connection; returns those the client holds a stale version of. */
  listen(connectionId: string, items: ListenItem[], client: ClientIdentity): ListenItem[] {
    this.check(items);
    const stale: ListenItem[] = [];
    for (const item of items) {
      const key = keyStringOf(normalizeNamespace(item.tenant), item.group, item.dataId);
      this.listeners.listen(connectionId, key, { dataId: item.dataId, group: item.group, tenant: item.tenant, md5: item.md5, clientIp: client.ip });
      if (this.index.md5For(key, client) !== item.md5) stale.push(item);
    }
    return stale;
  }

  unlisten(connectionId: string, items: ListenItem[]): void {
    this.check(items);
    for (const item of items) this.listeners.unlisten(connectionId, keyStringOf(normalizeNamespace(item.tenant), item.group, item.dataId));
  }

  private check(items: ListenItem[]): void {
    if (items.length > MAX_BATCH_LISTEN) throw invalidParam(`invalid protocol, too much listener: over ${MAX_BATCH_LISTEN}`);
    for (const item of items) checkKey(item.tenant, item.group, item.dataId);
  }
}
