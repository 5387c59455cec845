// What the configuration center offers its protocol adapters (HTTP route plugins, gRPC handlers).
import type { ConfigService } from "./config-service.ts";
import type { HistoryService } from "./history/history-service.ts";
import type { NamespaceService } from "./namespace/namespace-service.ts";
import type { ConfigTransfer } from "./transfer/config-transfer.ts";
import type { LongPollRegistry } from "./listen/long-poll-registry.ts";
import type { ConfigListening } from "./listen/config-listening.ts";

export interface ConfigApi {
  configs: ConfigService;
  history: HistoryService;
  namespaces: NamespaceService;
  transfer: ConfigTransfer;
  longPolls: LongPollRegistry;
  /** gRPC listening and the listener status query. */
  listening: ConfigListening;
  /** Wall clock (export file names). */
  now: () => number;
}
