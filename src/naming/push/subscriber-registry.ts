// Who listens to which service: gRPC connections that sent SubscribeServiceRequest, and 1.x HTTP
// clients that asked for a list with a udpPort (renewed by each such query, forgotten when they
// stop asking). One subscription per client and service; the latest cluster filter wins.
import { NAMING_LIMITS } from "../limits.ts";
import { groupedName, type ServiceKey, serviceKeyString } from "../model/names.ts";
import { overLimit } from "../naming-errors.ts";

export type SubscriberKind = "grpc" | "udp";

export interface Subscriber {
  /** "grpc:<connection id>" or "udp:<ip>:<port>". */
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly service: ServiceKey;
  /** Comma-separated clusters the subscriber filters by; "" = all. */
  clusters: string;
  /** The client's address (UDP pushes go to ip:port; gRPC reports port 0 like Nacos). */
  readonly ip: string;
  readonly port: number;
  readonly connectionId: string | undefined;
  agent: string;
  app: string;
  readonly subscribedAt: number;
  lastSeenAt: number;
}

export type SubscriberInput = Omit<Subscriber, "id" | "subscribedAt" | "lastSeenAt">;

export function subscriberId(kind: SubscriberKind, where: { connectionId?: string; ip: string; port: number }): string {
  return kind === "grpc" ? `grpc:${where.connectionId}` : `udp:${where.ip}:${where.port}`;
}

export class SubscriberRegistry {
  private readonly byService = new Map<string, Map<string, Subscriber>>();
  private readonly byConnection = new Map<string, Set<string>>();

  /** Adds or renews a subscription; returns it. */
  add(input: SubscriberInput, now: number): Subscriber {
    const serviceId = serviceKeyString(input.service);
    let subs = this.byService.get(serviceId);
    const id = subscriberId(input.kind, { connectionId: input.connectionId, ip: input.ip, port: input.port });
    const existing = subs?.get(id);
    if (existing) {
      existing.clusters = input.clusters;
      existing.agent = input.agent;
      existing.app = input.app;
      existing.lastSeenAt = now;
      return existing;
    }
    if (subs && subs.size >= NAMING_LIMITS.subscribersPerService) {
      throw overLimit(`service ${groupedName(input.service)} has ${subs.size} subscribers; at most ${NAMING_LIMITS.subscribersPerService} are allowed`);
    }
    if (!subs) this.byService.set(serviceId, (subs = new Map()));
    const sub: Subscriber = { ...input, id, subscribedAt: now, lastSeenAt: now };
    subs.set(id, sub);
    if (input.connectionId) {
      let services = this.byConnection.get(input.connectionId);
      if (!services) this.byConnection.set(input.connectionId, (services = new Set()));
      services.add(serviceId);
    }
    return sub;
  }

  remove(service: ServiceKey, id: string): boolean {
    const serviceId = serviceKeyString(service);
    const subs = this.byService.get(serviceId);
    const sub = subs?.get(id);
    if (!subs || !sub) return false;
    subs.delete(id);
    if (subs.size === 0) this.byService.delete(serviceId);
    if (sub.connectionId) {
      const services = this.byConnection.get(sub.connectionId);
      services?.delete(serviceId);
      if (services?.size === 0) this.byConnection.delete(sub.connectionId);
    }
    return true;
  }

  /** Forgets every subscription of a closed connection; returns how many. */
  dropConnection(connectionId: string): number {
    const services = this.byConnection.get(connectionId);
    if (!services) return 0;
    let n = 0;
    const id = subscriberId("grpc", { connectionId, ip: "", port: 0 });
    for (const serviceId of services) {
      const subs = this.byService.get(serviceId);
      if (subs?.delete(id)) n++;
      if (subs?.size === 0) this.byService.delete(serviceId);
    }
    this.byConnection.delete(connectionId);
    return n;
  }

  /** Forgets UDP subscribers that did not ask again within `ttlMs`. */
  expireUdp(now: number, ttlMs: number): number {
    let n = 0;
    for (const [serviceId, subs] of this.byService) {
      for (const [id, sub] of subs) {
        if (sub.kind === "udp" && now - sub.lastSeenAt > ttlMs) {
          subs.delete(id);
          n++;
        }
      }
      if (subs.size === 0) this.byService.delete(serviceId);
    }
    return n;
  }

  of(serviceId: string): Iterable<Subscriber> {
    return this.byService.get(serviceId)?.values() ?? [];
  }

  get(serviceId: string, id: string): Subscriber | undefined {
    return this.byService.get(serviceId)?.get(id);
  }

  countOf(serviceId: string): number {
    return this.byService.get(serviceId)?.size ?? 0;
  }

  count(): number {
    let n = 0;
    for (const subs of this.byService.values()) n += subs.size;
    return n;
  }

  /** Services that have subscribers, by id. */
  services(): IterableIterator<string> {
    return this.byService.keys();
  }
}
