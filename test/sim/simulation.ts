// The deterministic Raft simulator: one seed decides the cluster, the faults and every random choice.
// A run alternates chaos phases (loss, delay, duplication, reordering, partitions, crashes, membership
// changes, transfers, proposals, reads, compaction) with a healed phase (liveness): the cluster must
// never go 30 election timeouts without progress (a higher commit, or voters' logs and state machines
// getting further), and must commit and apply a new entry on every voter within 500 election
// timeouts (a backlog drained with tiny messages is slow, not stuck). Safety invariants are checked
// after every step (see checker.ts).

import { NotLeaderError, ProposalDroppedError } from "../../src/raft/core/errors.ts";
import { Rng } from "../../src/raft/core/rng.ts";
import type { ConfChange, Entry, NodeId } from "../../src/raft/core/types.ts";
import { Checker, SimFailure } from "./checker.ts";
import { SimNetwork } from "./network.ts";
import type { NetworkFaults } from "./network.ts";
import { BOOT_CHAIN, BOOT_SM, SimNode, describe, proposalData } from "./sim-node.ts";
import type { NodeParams, SimContext } from "./sim-node.ts";

/** Micro-steps per tick: message delays are measured in these. */
const MICRO_PER_TICK = 10;

export interface SimOptions {
  seed: number;
  /** Chaos/heal cycles (default 6). */
  cycles?: number;
  /** Ticks per chaos phase (default 400). */
  chaosTicks?: number;
  verbose?: boolean;
  /** Where verbose lines go (default console.log). */
  log?: (line: string) => void;
}

export interface SimStats {
  ticks: number;
  messages: number;
  dropped: number;
  leaders: number;
  committed: number;
  proposals: number;
  reads: number;
  confChanges: number;
  snapshots: number;
  crashes: number;
  transfers: number;
  /** Worst ticks from heal to a new entry applied on every voter. */
  maxRecoveryTicks: number;
  nodes: number;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  error?: string;
  stats: SimStats;
  /** Last events before a failure (always recorded, cheap). */
  trail?: string[];
}

export function replayCommand(seed: number): string {
  return `./node_modules/.bin/bun test/sim/long-run.ts --seed ${seed} --verbose`;
}

class Simulation implements SimContext {
  now = 0;
  tick = 0;
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly checker = new Checker(BOOT_CHAIN, BOOT_SM);
  readonly verbose: boolean;
  private readonly out: (line: string) => void;
  private readonly trail: string[] = [];
  readonly nodes = new Map<NodeId, SimNode>();
  private nextId: number;
  private nextProposal = 1;
  private nextRead = 1;
  private readonly params: NodeParams;
  private readonly chaosFaults: NetworkFaults;
  private readonly crashInReady: number;
  /** Per-tick probabilities of faults, chosen per seed so some runs are calm and some brutal. */
  private readonly intensity: { crash: number; restart: number; leaderFault: number; partition: number; heal: number; proposals: number };
  /** After healing: ticks without any progress that count as stuck. */
  private readonly stallBound: number;
  /** After healing: ticks by which a new entry must be applied on every voter. */
  private readonly livenessBound: number;
  private liveness = false;
  readonly stats: SimStats = {
    ticks: 0,
    messages: 0,
    dropped: 0,
    leaders: 0,
    committed: 0,
    proposals: 0,
    reads: 0,
    confChanges: 0,
    snapshots: 0,
    crashes: 0,
    transfers: 0,
    maxRecoveryTicks: 0,
    nodes: 0,
  };

  constructor(
    readonly seed: number,
    private readonly opts: SimOptions,
  ) {
    this.rng = new Rng(seed);
    this.verbose = opts.verbose ?? false;
    this.out = opts.log ?? ((line) => console.log(line));
    const r = this.rng;
    const size = r.range(3, 5);
    const electionTick = 10;
    this.params = {
      electionTick,
      heartbeatTick: r.range(1, 3),
      // Mostly the production settings; sometimes without pre-vote or check-quorum.
      preVote: r.chance(0.85),
      checkQuorum: r.chance(0.85),
      maxSizePerMsg: r.pick([64, 256, 1024, 1 << 20]),
      maxInflightMsgs: r.pick([1, 4, 16, 256]),
      // Client backpressure keeps a cut-off leader's backlog (and so recovery time) bounded.
      maxUncommittedBytes: r.pick([512, 2048, 8192]),
      maxCommittedSizePerReady: 0, // below
      readiesPerTurn: r.chance(0.3) ? 1 : Infinity,
      persistDelay: r.chance(0.3) ? r.range(1, 15) : 0,
      compactEvery: r.range(5, 60),
      compactKeep: r.range(0, 8),
    };
    // One entry per Ready is fine for a synchronous driver; with a slow asynchronous write per Ready
    // it would make applying (not Raft) the bottleneck of the liveness check.
    this.params.maxCommittedSizePerReady = this.params.persistDelay > 0 ? r.pick([256, 16 << 20]) : r.pick([1, 100, 16 << 20]);
    this.chaosFaults = {
      loss: r.pick([0, 0.01, 0.05, 0.15]),
      duplicate: r.pick([0, 0.02, 0.1]),
      minDelay: 1,
      maxDelay: r.pick([2, 5, 10, 20, 40]),
    };
    this.crashInReady = r.pick([0, 0.0005, 0.002]);
    this.intensity = {
      crash: r.pick([0.003, 0.01, 0.03]),
      restart: r.pick([0.02, 0.05, 0.2]),
      leaderFault: r.pick([0, 0.005, 0.02, 0.05]),
      partition: r.pick([0.005, 0.01, 0.03]),
      heal: r.pick([0.01, 0.02, 0.05]),
      proposals: r.pick([1, 3, 8]),
    };
    this.stallBound = 30 * electionTick;
    this.livenessBound = 500 * electionTick;
    this.net = new SimNetwork(new Rng(seed ^ 0x5a5a5a5a), this.chaosFaults);
    const founders = Array.from({ length: size }, (_, i) => i + 1);
    this.nextId = size + 1;
    for (const id of founders) this.addNode(id, founders);
    if (this.verbose) this.log(`seed ${seed}: ${size} nodes ${JSON.stringify(this.params)} faults ${JSON.stringify(this.chaosFaults)} crashInReady ${this.crashInReady}`);
  }

  log(line: string): void {
    const text = `[t${this.tick}.${this.now % MICRO_PER_TICK}] ${line}`;
    if (this.verbose) this.out(text);
    this.trail.push(text);
    if (this.trail.length > 400) this.trail.splice(0, 200);
  }

  trailLines(): string[] {
    return this.trail.slice(-60);
  }

  crashPoint(): 0 | 1 | 2 | 3 | 4 {
    if (this.liveness || this.crashInReady === 0 || !this.rng.chance(this.crashInReady)) return 0;
    this.stats.crashes++;
    return this.rng.range(1, 4) as 1 | 2 | 3 | 4;
  }

  onApplied(_node: SimNode, _e: Entry): void {}

  private addNode(id: NodeId, founders: NodeId[] | null): SimNode {
    const n = new SimNode(id, this.params, founders);
    n.tickRate = this.rng.chance(0.5) ? 1 : 0.8 + 0.2 * this.rng.next();
    this.nodes.set(id, n);
    n.start(this);
    this.stats.nodes++;
    return n;
  }

  private liveNodes(): SimNode[] {
    const out: SimNode[] = [];
    for (const n of this.nodes.values()) if (n.raw !== null) out.push(n);
    return out;
  }

  /** The live leader with the highest term, if any. */
  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) {
      if (n.raw === null || n.raw.role !== "leader") continue;
      if (best === undefined || n.raw.term > best.raw!.term) best = n;
    }
    return best;
  }

  /** Checks that look at all nodes at once, after every step. */
  private afterStep(): void {
    for (const n of this.nodes.values()) {
      if (n.raw !== null && n.raw.role === "leader") this.checker.onLeader(n.raw.term, n.id);
    }
  }

  // ---- time and delivery -----------------------------------------------------------------------

  private runTick(): void {
    for (let k = 0; k < MICRO_PER_TICK; k++) {
      this.now++;
      this.deliverDue();
      // A driver that yields between Readies picks up the rest on its next turn.
      for (const n of this.nodes.values()) {
        if (n.busy(this)) {
          n.processReady(this);
          this.afterStep();
        }
      }
    }
    this.tick++;
    for (const n of this.nodes.values()) {
      if (n.raw === null || !this.rng.chance(n.tickRate)) continue;
      n.raw.tick();
      n.processReady(this);
      this.afterStep();
    }
  }

  private deliverDue(): void {
    for (;;) {
      const e = this.net.nextDue(this.now);
      if (e === undefined) return;
      if (e.kind === "snapReport") {
        const leader = this.nodes.get(e.leader);
        if (leader?.raw && leader.incarnation === e.incarnation) {
          if (this.verbose) this.log(`n${e.leader} snapshot to ${e.target} ${e.ok ? "done" : "failed"}`);
          leader.raw.reportSnapshot(e.target, e.ok);
          leader.processReady(this);
          this.afterStep();
        }
        continue;
      }
      const m = e.msg;
      const target = this.nodes.get(m.to);
      if (!target?.raw) {
        if (e.reportTo >= 0) this.net.report(this.now + 1, m, e.reportTo, false);
        continue;
      }
      if (this.verbose) this.log(`n${m.to} <- ${describe(m)}`);
      if (e.snap !== null && m.snapshot !== null) target.receiveSnapshotData(m.snapshot.index, e.snap);
      target.raw.step(m);
      target.processReady(this);
      if (e.reportTo >= 0) this.net.report(this.now + this.rng.range(1, 5), m, e.reportTo, true);
      this.afterStep();
    }
  }

  // ---- client actions --------------------------------------------------------------------------

  /** Propose on a random live node, forwarding once to the leader it names (as the driver does). */
  private propose(): { id: number; index: number; term: number; node: SimNode } | null {
    const live = this.liveNodes();
    if (live.length === 0) return null;
    let n = this.rng.pick(live);
    for (let hop = 0; hop < 2; hop++) {
      const id = this.nextProposal++;
      try {
        const r = n.raw!.propose(proposalData(id));
        this.stats.proposals++;
        n.processReady(this);
        this.afterStep();
        return { id, ...r, node: n };
      } catch (err) {
        if (err instanceof NotLeaderError) {
          const next = this.nodes.get(err.leader);
          if (!next?.raw) return null;
          n = next;
          continue;
        }
        if (err instanceof ProposalDroppedError) return null;
        throw err;
      }
    }
    return null;
  }

  private read(): void {
    const live = this.liveNodes();
    if (live.length === 0) return;
    const n = this.rng.pick(live);
    const id = this.nextRead++;
    try {
      this.checker.readStart(id);
      n.raw!.readIndex(proposalData(id));
      this.stats.reads++;
    } catch (err) {
      if (!(err instanceof NotLeaderError)) throw err;
    }
    n.processReady(this);
    this.afterStep();
  }

  private transfer(): void {
    const l = this.leader();
    if (!l) return;
    const voters = l.raw!.status().conf.voters.filter((v) => v !== l.id);
    if (voters.length === 0) return;
    const target = this.rng.pick(voters);
    try {
      l.raw!.transferLeader(target);
      this.stats.transfers++;
      if (this.verbose) this.log(`n${l.id} transfer leadership to ${target}`);
    } catch (err) {
      if (!(err instanceof ProposalDroppedError) && !(err instanceof NotLeaderError)) throw err;
    }
    l.processReady(this);
    this.afterStep();
  }

  private changeMembership(): void {
    const l = this.leader();
    if (!l) return;
    const conf = l.raw!.status().conf;
    const members = conf.voters.length + conf.learners.length;
    const options: (() => ConfChange | null)[] = [];
    if (members < 6 && this.nextId <= 12) {
      options.push(() => {
        const id = this.nextId++;
        this.addNode(id, null);
        return { type: "addLearner", nodeId: id, context: new TextEncoder().encode(`node-${id}`) };
      });
    }
    if (conf.learners.length > 0 && conf.voters.length < 5) options.push(() => ({ type: "addVoter", nodeId: this.rng.pick(conf.learners) }));
    if (conf.voters.length > 3) {
      options.push(() => ({ type: "removeNode", nodeId: this.rng.pick(conf.voters) }));
      options.push(() => ({ type: "addLearner", nodeId: this.rng.pick(conf.voters) }));
    }
    if (conf.learners.length > 0) options.push(() => ({ type: "removeNode", nodeId: this.rng.pick(conf.learners) }));
    if (options.length === 0) return;
    const cc = this.rng.pick(options)();
    if (cc === null) return;
    try {
      const r = l.raw!.proposeConfChange(cc);
      this.stats.confChanges++;
      if (this.verbose) this.log(`n${l.id} proposed ${cc.type} ${cc.nodeId} at ${r.index}`);
    } catch (err) {
      if (!(err instanceof ProposalDroppedError) && !(err instanceof NotLeaderError)) throw err;
    }
    l.processReady(this);
    this.afterStep();
  }

  private faults(): void {
    const r = this.rng;
    const live = this.liveNodes();
    const crashed = [...this.nodes.values()].filter((n) => n.raw === null && !n.retired);
    const f = this.intensity;
    if (r.chance(f.crash) && live.length > 0 && crashed.length < 2) {
      r.pick(live).crash(this);
      this.stats.crashes++;
    }
    for (const n of crashed) if (r.chance(f.restart)) n.start(this);
    const ids = [...this.nodes.values()].filter((n) => !n.retired).map((n) => n.id);
    // Hit the leader: the interesting histories (Figure 8 and friends) need leaders to die young.
    if (r.chance(f.leaderFault)) {
      const l = this.leader();
      if (l) {
        if (r.chance(0.5) && crashed.length < 2) {
          l.crash(this);
          this.stats.crashes++;
        } else {
          this.net.isolate(l.id, ids);
          if (this.verbose) this.log(`isolate leader ${l.id}`);
        }
      }
    }
    if (r.chance(f.partition) && ids.length > 1) {
      const a = r.pick(ids);
      const b = r.pick(ids.filter((x) => x !== a));
      this.net.cut(a, b);
      if (this.verbose) this.log(`cut ${a} <-> ${b}`);
    }
    if (r.chance(f.partition / 2) && ids.length > 0) {
      const a = r.pick(ids);
      this.net.isolate(a, ids);
      if (this.verbose) this.log(`isolate ${a}`);
    }
    if (r.chance(f.heal) && this.net.partitioned) {
      this.net.heal();
      if (this.verbose) this.log("heal partitions");
    }
  }

  /**
   * The newest committed membership: the one in the state machine that has applied the most (all
   * applied sequences are prefixes of one history). A leader's view may be stale.
   */
  private latestConf(): { voters: NodeId[]; learners: NodeId[] } {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) if (best === undefined || n.smApplied > best.smApplied) best = n;
    return best!.smConf;
  }

  /** Nodes removed from the membership long ago are shut down, as an operator would. */
  private retireRemoved(): void {
    const conf = this.latestConf();
    for (const n of this.nodes.values()) {
      if (n.retired) continue;
      const member = conf.voters.includes(n.id) || conf.learners.includes(n.id);
      if (member) {
        n.removedAtTick = -1;
        continue;
      }
      // Only nodes that were members once (their state machine has a membership) count as removed.
      if (n.smConf.voters.length === 0 && n.smApplied === 0) continue;
      if (n.removedAtTick < 0) n.removedAtTick = this.tick;
      else if (this.tick - n.removedAtTick > 100) {
        if (n.raw) n.crash(this);
        n.retired = true;
        if (this.verbose) this.log(`n${n.id} retired`);
      }
    }
  }

  // ---- phases ----------------------------------------------------------------------------------

  private chaos(ticks: number): void {
    this.net.faults = { ...this.chaosFaults };
    this.liveness = false;
    for (let t = 0; t < ticks; t++) {
      this.runTick();
      const r = this.rng;
      const proposals = r.int(this.intensity.proposals + 1);
      for (let k = 0; k < proposals; k++) this.propose();
      if (r.chance(0.3)) this.read();
      if (r.chance(0.01)) this.transfer();
      if (r.chance(0.03)) this.changeMembership();
      this.faults();
      this.retireRemoved();
    }
  }

  /**
   * Progress measure for the stall check: the highest commit anywhere, and how far the voters' durable
   * logs and state machines have got. Catching up a long backlog with small messages is slow but
   * moves these; a stuck cluster does not.
   */
  private progressMarks(): { commit: number; voters: number } {
    let voters = 0;
    for (const v of this.latestConf().voters) {
      const n = this.nodes.get(v);
      if (n) voters += n.storage.lastIndex() + n.smApplied;
    }
    return { commit: this.checker.maxCommit, voters };
  }

  /**
   * Heal everything and require progress: never stalled for stallBound ticks, and a fresh entry
   * committed and applied on every voter of the newest membership within livenessBound ticks.
   */
  private heal(): void {
    this.liveness = true;
    this.net.heal();
    this.net.faults = { loss: 0, duplicate: 0, minDelay: 1, maxDelay: Math.min(this.chaosFaults.maxDelay, MICRO_PER_TICK) };
    for (const n of this.nodes.values()) if (n.raw === null && !n.retired) n.start(this);
    if (this.verbose) this.log("=== healed: liveness check ===");
    const start = this.tick;
    let marker: { id: number; index: number; term: number } | null = null;
    let best = this.progressMarks();
    let lastProgress = this.tick;
    while (this.tick - start < this.livenessBound) {
      this.runTick();
      const now = this.progressMarks();
      if (now.commit > best.commit || now.voters > best.voters) {
        best = { commit: Math.max(now.commit, best.commit), voters: Math.max(now.voters, best.voters) };
        lastProgress = this.tick;
      } else if (this.tick - lastProgress > this.stallBound) {
        throw new SimFailure(`liveness: no progress for ${this.stallBound} ticks after healing (healed at tick ${start})`);
      }
      if (this.rng.chance(0.2)) this.read();
      this.retireRemoved();
      const l = this.leader();
      if (!l) continue;
      if (marker !== null) {
        const key = this.checker.appliedKeys[marker.index];
        if (key !== undefined && key !== marker.id) marker = null; // lost to a leader change
        else if (key === marker.id) {
          const voters = this.latestConf().voters;
          if (voters.every((v) => (this.nodes.get(v)?.smApplied ?? 0) >= marker!.index)) {
            const took = this.tick - start;
            if (took > this.stats.maxRecoveryTicks) this.stats.maxRecoveryTicks = took;
            if (this.verbose) this.log(`liveness ok after ${took} ticks`);
            return;
          }
        }
      }
      if (marker === null || (l.raw!.term > marker.term && this.checker.appliedKeys[marker.index] === undefined && this.tick % 20 === 0)) {
        const p = this.proposeOn(l);
        if (p) marker = p;
      }
    }
    throw new SimFailure(`liveness: no entry committed and applied on all voters within ${this.livenessBound} ticks after healing`);
  }

  private proposeOn(n: SimNode): { id: number; index: number; term: number } | null {
    const id = this.nextProposal++;
    try {
      const r = n.raw!.propose(proposalData(id));
      n.processReady(this);
      this.afterStep();
      return { id, ...r };
    } catch (err) {
      if (err instanceof NotLeaderError || err instanceof ProposalDroppedError) return null;
      throw err;
    }
  }

  run(): void {
    const cycles = this.opts.cycles ?? 6;
    const chaosTicks = this.opts.chaosTicks ?? 400;
    for (let c = 0; c < cycles; c++) {
      this.chaos(chaosTicks);
      this.heal();
    }
  }

  finishStats(): SimStats {
    this.stats.ticks = this.tick;
    this.stats.messages = this.net.sent;
    this.stats.dropped = this.net.dropped;
    this.stats.leaders = this.checker.leadersSeen;
    this.stats.committed = this.checker.maxCommit;
    for (const n of this.nodes.values()) this.stats.snapshots += n.snapshotsInstalled;
    return this.stats;
  }
}

export function runSeed(opts: SimOptions): SimResult {
  const sim = new Simulation(opts.seed, opts);
  try {
    sim.run();
    return { seed: opts.seed, ok: true, stats: sim.finishStats() };
  } catch (err) {
    const error = err instanceof SimFailure ? err.message : err instanceof Error ? `${err.message}\n${err.stack}` : String(err);
    return { seed: opts.seed, ok: false, error: `${error} (tick ${sim.tick})`, stats: sim.finishStats(), trail: sim.trailLines() };
  }
}
