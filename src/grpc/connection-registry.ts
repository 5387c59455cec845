// The Nacos connections this node holds: one per client HTTP/2 connection that opened the bi-stream and
// sent ConnectionSetupRequest. Domains subscribe to connected/disconnected (ephemeral instances and config
// listeners are tied to a connection) and look connections up by id; the console lists them.
import type { Logger } from "../log.ts";
import type { SessionInfo } from "./method.ts";
import type { PushChannel } from "./push.ts";

/** What a connection told us at setup, plus where it comes from. Read-only for domains. */
export interface ConnectionInfo {
  /** `{millis}_{remoteIp}_{remotePort}`, also returned to the client by ServerCheckResponse. */
  readonly id: string;
  /** The IP the client reports in its payload metadata (falls back to remoteIp). */
  readonly clientIp: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** e.g. "Nacos-Java-Client:v2.3.0", "Nacos-Go-Client:v2.2.7". */
  readonly clientVersion: string;
  /** The namespace the client was created for ("" = public). */
  readonly tenant: string;
  readonly labels: Readonly<Record<string, string>>;
  /** labels.AppName, "-" when the client did not say. */
  readonly appName: string;
  /** The client's ability table, when it sent one. */
  readonly abilities: Readonly<Record<string, boolean>> | undefined;
  readonly connectedAt: number;
  /** Last time anything arrived from the client (a request, a push ack, a detection reply). */
  readonly lastActiveAt: number;
}

export interface ConnectionSetup {
  clientIp: string;
  clientVersion: string;
  tenant: string;
  labels: Record<string, string>;
  abilities: Record<string, boolean> | undefined;
}

/** A registered connection as the bridge sees it: the info plus its bi-stream channel and transport. */
export class Connection implements ConnectionInfo {
  readonly id: string;
  readonly clientIp: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly clientVersion: string;
  readonly tenant: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly appName: string;
  readonly abilities: Readonly<Record<string, boolean>> | undefined;
  readonly connectedAt: number;
  lastActiveAt: number;
  /** True while a ClientDetectionRequest is outstanding. */
  probing = false;

  constructor(
    readonly session: SessionInfo,
    setup: ConnectionSetup,
    readonly channel: PushChannel,
    /** Ends the bi-stream and closes the HTTP/2 connection. */
    readonly closeTransport: (reason: string) => void,
    now: number,
  ) {
    this.id = session.id;
    this.remoteIp = session.remoteAddress;
    this.remotePort = session.remotePort;
    this.localPort = session.localPort;
    this.clientIp = setup.clientIp || session.remoteAddress;
    this.clientVersion = setup.clientVersion;
    this.tenant = setup.tenant;
    this.labels = Object.freeze({ ...setup.labels });
    this.appName = setup.labels.AppName || "-";
    this.abilities = setup.abilities ? Object.freeze({ ...setup.abilities }) : undefined;
    this.connectedAt = now;
    this.lastActiveAt = now;
  }

  /** A plain copy for logs, the console and JSON. */
  snapshot(): ConnectionInfo {
    const { id, clientIp, remoteIp, remotePort, localPort, clientVersion, tenant, labels, appName, abilities, connectedAt, lastActiveAt } = this;
    return { id, clientIp, remoteIp, remotePort, localPort, clientVersion, tenant, labels, appName, abilities, connectedAt, lastActiveAt };
  }
}

export interface ConnectionEvents {
  connected: (connection: ConnectionInfo) => void;
  disconnected: (connection: ConnectionInfo, reason: string) => void;
}

export class ConnectionRegistry {
  private readonly byId = new Map<string, Connection>();
  private readonly listeners: { [E in keyof ConnectionEvents]: Set<ConnectionEvents[E]> } = {
    connected: new Set(),
    disconnected: new Set(),
  };

  constructor(private readonly log: Logger) {}

  /** Subscribes; returns the function that unsubscribes. Listeners run synchronously, errors are logged. */
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  get(id: string): ConnectionInfo | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get count(): number {
    return this.byId.size;
  }

  list(): ConnectionInfo[] {
    return [...this.byId.values()].map((c) => c.snapshot());
  }

  /** Closes a connection (console "kick", domain decisions); fires disconnected. */
  disconnect(id: string, reason = "disconnected by server"): boolean {
    return this.unregister(id, reason) !== undefined;
  }

  // --- used by the bridge ----------------------------------------------------------------------

  /** The bridge's view, with channel and transport. */
  entry(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  entries(): Connection[] {
    return [...this.byId.values()];
  }

  /** Adds a connection; false when one with this id exists already (a repeated setup is ignored). */
  register(connection: Connection): boolean {
    if (this.byId.has(connection.id)) return false;
    this.byId.set(connection.id, connection);
    this.log.info("connection registered", {
      connection: connection.id,
      clientIp: connection.clientIp,
      version: connection.clientVersion,
      app: connection.appName,
      tenant: connection.tenant,
    });
    this.emit("connected", connection);
    return true;
  }

  /** Removes a connection, fails its pending pushes, closes its transport and fires disconnected. */
  unregister(id: string, reason: string): ConnectionInfo | undefined {
    const connection = this.byId.get(id);
    if (!connection) return undefined;
    this.byId.delete(id);
    connection.channel.close(reason);
    try {
      connection.closeTransport(reason);
    } catch (err) {
      this.log.debug("closing transport failed", { connection: id, error: err });
    }
    this.log.info("connection unregistered", { connection: id, reason });
    this.emit("disconnected", connection, reason);
    return connection;
  }

  touch(id: string, now: number): void {
    const connection = this.byId.get(id);
    if (connection) connection.lastActiveAt = now;
  }

  private emit<E extends keyof ConnectionEvents>(event: E, ...args: Parameters<ConnectionEvents[E]>): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        (listener as (...a: Parameters<ConnectionEvents[E]>) => void)(...args);
      } catch (err) {
        this.log.error(`${event} listener failed`, { error: err });
      }
    }
  }
}
