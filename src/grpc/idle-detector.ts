// Connections that have been silent for `timeoutMs` are asked ClientDetectionRequest over their bi-stream;
// no (successful) ClientDetectionResponse within `probeTimeoutMs` and the connection is unregistered and
// closed (Nacos NacosRuntimeConnectionEjector). Anything received from a client counts as activity.
import type { Logger } from "../log.ts";
import type { ConnectionRegistry } from "./connection-registry.ts";

export interface IdleDetectorOptions {
  connections: ConnectionRegistry;
  timeoutMs: number;
  probeTimeoutMs: number;
  /** Log each probe at info (RNACOS_ENABLE_GRPC_DETECTION_LOG); otherwise at debug. */
  logProbes: boolean;
  log: Logger;
  now: () => number;
}

export class IdleDetector {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: IdleDetectorOptions) {}

  /** How often start() sweeps: a third of the timeout, between 50 ms and 3 s (Nacos checks every 3 s). */
  get intervalMs(): number {
    return Math.max(50, Math.min(3000, Math.floor(this.options.timeoutMs / 3)));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Probes every idle connection once; resolves when all probes of this sweep are settled. */
  async sweep(): Promise<void> {
    const { connections, timeoutMs, probeTimeoutMs, log, now } = this.options;
    const probeLog = this.options.logProbes ? log.info.bind(log) : log.debug.bind(log);
    const probes: Promise<void>[] = [];
    for (const connection of connections.entries()) {
      if (connection.probing || now() - connection.lastActiveAt < timeoutMs) continue;
      connection.probing = true;
      probeLog("probing idle connection", { connection: connection.id, idleMs: now() - connection.lastActiveAt });
      probes.push(
        connection.channel.request("ClientDetectionRequest", { module: "internal" }, { timeoutMs: probeTimeoutMs, retries: 0 }).then(
          () => {
            connection.probing = false;
            connections.touch(connection.id, now());
            probeLog("connection answered probe", { connection: connection.id });
          },
          (err: Error) => {
            connection.probing = false;
            log.info("dropping connection that did not answer ClientDetectionRequest", { connection: connection.id, error: err.message });
            connections.unregister(connection.id, `no answer to ClientDetectionRequest: ${err.message}`);
          },
        ),
      );
    }
    await Promise.all(probes);
  }
}
