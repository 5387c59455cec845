// Runs many simulator seeds and stops at the first failure.
//   bun test/sim/long-run.ts --seeds 10000 [--from N] [--cycles C] [--chaos-ticks T]
//   bun test/sim/long-run.ts --seed N --verbose        (replay one seed with a full event log)

import { replayCommand, runSeed } from "./simulation.ts";
import type { SimStats } from "./simulation.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const verbose = process.argv.includes("--verbose");
const single = arg("seed");
const cycles = arg("cycles") ? Number(arg("cycles")) : undefined;
const chaosTicks = arg("chaos-ticks") ? Number(arg("chaos-ticks")) : undefined;
const from = single !== undefined ? Number(single) : Number(arg("from") ?? 1);
const count = single !== undefined ? 1 : Number(arg("seeds") ?? 1000);
const every = Number(arg("progress") ?? 500);

const totals: Record<keyof SimStats, number> = {
  ticks: 0, messages: 0, dropped: 0, leaders: 0, committed: 0, proposals: 0, reads: 0,
  confChanges: 0, snapshots: 0, crashes: 0, transfers: 0, maxRecoveryTicks: 0, nodes: 0,
};
let slowestSeed = 0;
const started = performance.now();
for (let seed = from; seed < from + count; seed++) {
  const r = runSeed({ seed, verbose, cycles, chaosTicks });
  if (r.stats.maxRecoveryTicks > totals.maxRecoveryTicks) slowestSeed = seed;
  for (const k of Object.keys(totals) as (keyof SimStats)[]) {
    totals[k] = k === "maxRecoveryTicks" ? Math.max(totals[k], r.stats[k]) : totals[k] + r.stats[k];
  }
  if (!r.ok) {
    console.error(`FAIL seed ${seed}: ${r.error}`);
    if (!verbose && r.trail && r.trail.length > 0) console.error(r.trail.join("\n"));
    console.error(`replay: ${replayCommand(seed)}`);
    process.exit(1);
  }
  const done = seed - from + 1;
  if (single !== undefined || done % every === 0 || done === count) {
    const secs = (performance.now() - started) / 1000;
    console.log(
      `${done}/${count} seeds ok (${from}..${seed}) in ${secs.toFixed(1)}s | ticks ${totals.ticks} msgs ${totals.messages} ` +
        `leaders ${totals.leaders} proposals ${totals.proposals} committed ${totals.committed} reads ${totals.reads} ` +
        `confChanges ${totals.confChanges} snapshots ${totals.snapshots} crashes ${totals.crashes} transfers ${totals.transfers} ` +
        `maxRecovery ${totals.maxRecoveryTicks} ticks (seed ${slowestSeed})`,
    );
  }
}
