// Push for naming: registry events mark services changed, the merger closes each change window
// into one flush, the dispatcher paces the fan-out, and each subscriber gets the service's state
// through its own channel: UDP for 1.x clients, NotifySubscriberRequest over gRPC for 2.x.
import type { Logger } from "../../log.ts";
import type { HeartbeatTiming } from "../model/instance.ts";
import { parseServiceKeyString, type ServiceKey, serviceKeyString } from "../model/names.ts";
import type { NamingEvent } from "../registry/naming-event.ts";
import type { NamingRegistry } from "../registry/naming-registry.ts";
import type { Timers } from "../timers.ts";
import { serviceView } from "../view/service-info.ts";
import { type PushStats, PushDispatcher } from "./push-dispatcher.ts";
import { PushMerger } from "./push-merger.ts";
import type { Subscriber, SubscriberRegistry } from "./subscriber-registry.ts";
import type { UdpPusher, UdpStats } from "./udp-pusher.ts";

/** Sends NotifySubscriberRequest to a connection; resolves on the client's ack. */
export type GrpcNotify = (connectionId: string, body: Record<string, unknown>) => Promise<unknown>;

export interface NamingPushOptions {
  mergeWindowMs: number;
  maxPerSecond: number;
  maxInFlight: number;
}

export interface NamingPushStats extends PushStats {
  mergedChanges: number;
  pendingServices: number;
  udp: UdpStats | undefined;
}

export class NamingPush {
  private readonly merger: PushMerger;
  private readonly dispatcher: PushDispatcher;
  private grpcNotify: GrpcNotify | undefined;

  constructor(
    private readonly registry: NamingRegistry,
    private readonly subscribers: SubscriberRegistry,
    private readonly udp: UdpPusher | undefined,
    private readonly timing: HeartbeatTiming,
    private readonly timers: Timers,
    options: NamingPushOptions,
    private readonly log: Logger,
  ) {
    this.merger = new PushMerger(timers, options.mergeWindowMs, (id) => this.flush(id));
    this.dispatcher = new PushDispatcher(timers, options, (sub, id) => this.deliver(sub, id), log);
  }

  /** The gRPC bridge's push, once it is there. */
  useGrpc(notify: GrpcNotify): void {
    this.grpcNotify = notify;
  }

  /** Registry listener: a visible change to a service schedules a push of it. */
  onEvent = (event: NamingEvent): void => {
    switch (event.type) {
      case "instance.upserted":
      case "instance.removed":
      case "service.defined":
      case "service.undefined":
        this.merger.changed(serviceKeyString(event.service));
    }
  };

  stats(): NamingPushStats {
    return { ...this.dispatcher.stats(), mergedChanges: this.merger.merged, pendingServices: this.merger.pendingServices, udp: this.udp?.stats() };
  }

  stop(): void {
    this.merger.stop();
    this.dispatcher.stop();
  }

  private flush(serviceId: string): void {
    for (const sub of this.subscribers.of(serviceId)) this.dispatcher.enqueue(sub, serviceId);
  }

  private async deliver(sub: Subscriber, serviceId: string): Promise<void> {
    // The subscription may have ended while the push waited its turn.
    if (this.subscribers.get(serviceId, sub.id) !== sub) return;
    const entry = this.registry.getById(serviceId);
    const key: ServiceKey = entry?.key ?? parseServiceKeyString(serviceId);
    const view = serviceView(entry, key, { clusters: sub.clusters, healthyOnly: false, groupedName: sub.kind === "udp" }, this.timing, this.timers.now());
    if (sub.kind === "udp") {
      if (!this.udp) throw new Error("UDP push is off");
      await this.udp.push(sub.ip, sub.port, view.json);
      return;
    }
    if (!this.grpcNotify || !sub.connectionId) throw new Error("gRPC push is not wired");
    await this.grpcNotify(sub.connectionId, {
      namespace: key.namespace,
      serviceName: key.name,
      groupName: key.group,
      serviceInfo: view.info as unknown as Record<string, unknown>,
      module: "naming",
    });
  }
}
