// Probes persistent instances every interval with their cluster's health checker (TCP unless the
// service's cluster says HTTP or NONE). A result must repeat `consecutive` rounds before the
// instance's health changes, so one lost packet does not flap it; the change is reported (through
// Raft) and never removes the instance.
import type { Logger } from "../../log.ts";
import { instanceKey } from "../model/instance.ts";
import type { ServiceKey } from "../model/names.ts";
import { defaultClusterDefinition } from "../model/service-definition.ts";
import type { NamingRegistry } from "../registry/naming-registry.ts";
import type { Probe, ProbeTarget } from "./probes.ts";

export interface ProberOptions {
  /** Only one node of a cluster probes (the Raft leader): the others would repeat its work and its verdicts. */
  isProbingNode?: () => boolean;
  intervalMs: number;
  timeoutMs: number;
  consecutive: number;
  concurrency: number;
}

interface Streak {
  observed: boolean;
  count: number;
}

interface Job {
  id: string;
  service: ServiceKey;
  /** The instance's address (the probe may use another port). */
  ip: string;
  port: number;
  target: ProbeTarget;
  healthy: boolean;
}

export class PersistentProber {
  private readonly streaks = new Map<string, Streak>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(
    private readonly registry: NamingRegistry,
    private readonly probe: Probe,
    private readonly report: (service: ServiceKey, ip: string, port: number, healthy: boolean) => Promise<void>,
    private readonly options: ProberOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.round(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One probe of every persistent instance; a round still running makes the next one skip. */
  async round(): Promise<void> {
    if (this.running) return;
    if (this.options.isProbingNode && !this.options.isProbingNode()) {
      this.streaks.clear();
      return;
    }
    this.running = true;
    try {
      const jobs = this.jobs();
      const live = new Set(jobs.map((j) => j.id));
      for (const id of [...this.streaks.keys()]) if (!live.has(id)) this.streaks.delete(id);
      let next = 0;
      const worker = async () => {
        while (next < jobs.length) await this.run(jobs[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency, jobs.length) }, worker));
    } finally {
      this.running = false;
    }
  }

  private jobs(): Job[] {
    const jobs: Job[] = [];
    for (const entry of this.registry.entries()) {
      for (const record of entry.instances.values()) {
        if (record.owner.kind !== "persistent") continue;
        const { ip, port, clusterName, healthy } = record.instance;
        const cluster = entry.definition.clusters[clusterName] ?? defaultClusterDefinition();
        if (cluster.healthChecker.type === "NONE") continue;
        const probePort = cluster.useInstancePort4Check ? port : cluster.checkPort;
        jobs.push({ id: `${entry.id}|${instanceKey(ip, port)}`, service: entry.key, ip, port, target: { ip, port: probePort, checker: cluster.healthChecker }, healthy });
      }
    }
    return jobs;
  }

  private async run(job: Job): Promise<void> {
    const observed = await this.probe(job.target, this.options.timeoutMs);
    const streak = this.streaks.get(job.id);
    const count = streak && streak.observed === observed ? streak.count + 1 : 1;
    this.streaks.set(job.id, { observed, count });
    if (observed === job.healthy || count < this.options.consecutive) return;
    const { ip, port } = job;
    this.log.info(observed ? "persistent instance passes its health check again" : "persistent instance fails its health check", {
      service: `${job.service.group}@@${job.service.name}`,
      namespace: job.service.namespace,
      instance: `${ip}:${port}`,
      check: job.target.checker.type,
    });
    try {
      await this.report(job.service, ip, port, observed);
    } catch (err) {
      this.log.warn("could not record a health change", { instance: `${ip}:${port}`, error: err });
    }
  }
}
