// Deterministic simulation of 3-5 Raft cores (growing and shrinking through membership changes) over
// a lossy, reordering, partitionable network with crashes; safety is checked after every step and
// liveness after every heal. Seeds 1..600, about 45 s on a 2-core machine. A failure names the seed
// and the command that replays it with a full event log. More seeds: `bun run sim:long`.

import { expect, test } from "bun:test";
import { replayCommand, runSeed } from "./simulation.ts";

const SEEDS = 600;
const CHUNK = 50;

for (let from = 1; from <= SEEDS; from += CHUNK) {
  const to = Math.min(SEEDS, from + CHUNK - 1);
  test(`simulated clusters stay safe and live: seeds ${from}..${to}`, () => {
    for (let seed = from; seed <= to; seed++) {
      const r = runSeed({ seed });
      if (!r.ok) {
        const detail = `seed ${seed} failed: ${r.error}\nreplay: ${replayCommand(seed)}`;
        console.error(detail);
        expect(detail).toBe("");
      }
    }
  }, 60_000);
}
