// UDP push to 1.x clients (Nacos UdpPushService / UdpConnector): a datagram
// {"type":"dom","data":"<ServiceInfo JSON>","lastRefTime":<id>}, gzipped when it is 1 KB or more,
// sent to the port the client named in its list query. The client answers
// {"type":"push-ack","lastRefTime":<id>}; without an ack in time the datagram is sent again, a
// bounded number of times.
import { nodeZlib } from "../../lazy-builtins.ts";
import type { Logger } from "../../log.ts";
import type { Timers } from "../timers.ts";

/** Datagrams at or above this size are gzipped (Nacos: 1024 bytes). */
export const GZIP_FROM_BYTES = 1024;
/** The largest UDP payload; a push that does not fit even gzipped cannot be sent. */
const MAX_DATAGRAM = 65_507;

export interface UdpPusherOptions {
  ackTimeoutMs: number;
  /** Extra sends after the first when no ack came. */
  retries: number;
}

interface Waiting {
  resolve(): void;
  reject(err: Error): void;
  timer: unknown;
}

export interface UdpStats {
  sent: number;
  acked: number;
  timedOut: number;
}

export class UdpPusher {
  private socket: Bun.udp.Socket<"buffer"> | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private lastId = 0;
  private readonly counters: UdpStats = { sent: 0, acked: 0, timedOut: 0 };

  constructor(
    private readonly timers: Timers,
    private readonly options: UdpPusherOptions,
    private readonly log: Logger,
  ) {}

  async start(hostname = "0.0.0.0"): Promise<void> {
    this.socket = await Bun.udpSocket({
      hostname,
      port: 0,
      socket: { data: (_socket, data) => this.onAck(data) },
    });
  }

  get port(): number | undefined {
    return this.socket?.port;
  }

  stats(): UdpStats {
    return { ...this.counters };
  }

  /** Sends `serviceInfoJson` to ip:port; resolves on the client's ack, rejects after the last retry. */
  push(ip: string, port: number, serviceInfoJson: string): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error("UDP push is not started"));
    const id = this.nextId();
    const packet = encodePushPacket(serviceInfoJson, id);
    if (packet.byteLength > MAX_DATAGRAM) {
      return Promise.reject(new Error(`push of ${packet.byteLength} bytes does not fit in one UDP datagram`));
    }
    return new Promise<void>((resolve, reject) => {
      let attempts = 0;
      const attempt = () => {
        attempts++;
        this.counters.sent++;
        socket.send(packet, port, ip);
        waiting.timer = this.timers.setTimeout(() => {
          if (attempts <= this.options.retries) return attempt();
          this.waiting.delete(id);
          this.counters.timedOut++;
          reject(new Error(`no push-ack from ${ip}:${port} after ${attempts} datagrams`));
        }, this.options.ackTimeoutMs);
      };
      const waiting: Waiting = { resolve, reject, timer: undefined };
      this.waiting.set(id, waiting);
      attempt();
    });
  }

  stop(): void {
    for (const w of this.waiting.values()) {
      this.timers.clearTimeout(w.timer);
      w.reject(new Error("UDP push stopped"));
    }
    this.waiting.clear();
    this.socket?.close();
    this.socket = undefined;
  }

  /** Ids are increasing and below 2^53, so JavaScript clients echo them back exactly. */
  private nextId(): number {
    this.lastId = Math.max(this.lastId + 1, this.timers.now() * 1000);
    return this.lastId;
  }

  private onAck(data: Buffer): void {
    let ack: { type?: unknown; lastRefTime?: unknown };
    try {
      ack = JSON.parse(data.toString("utf8").trim()) as typeof ack;
    } catch {
      this.log.debug("ignoring a UDP packet that is not JSON");
      return;
    }
    // Java clients send lastRefTime as a string, JavaScript ones as a number.
    const id = Number(ack.lastRefTime);
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    this.timers.clearTimeout(waiting.timer);
    this.counters.acked++;
    waiting.resolve();
  }
}

export function encodePushPacket(serviceInfoJson: string, lastRefTime: number): Uint8Array {
  const bytes = Buffer.from(JSON.stringify({ type: "dom", data: serviceInfoJson, lastRefTime }));
  return bytes.byteLength >= GZIP_FROM_BYTES ? nodeZlib().gzipSync(bytes) : bytes;
}
