// Adjacent pairs: baseline and rnacos measured back to back, alternating which goes first, so a
// machine that drifts affects both sides of each pair alike; the figure is the median pair ratio.
import { median } from "./machine.ts";

export interface PairedRuns {
  ours: number[];
  base: number[];
  extra: number[];
  ratio: number;
}

/** `extra` (the same server's cheapest path, for the reader) runs after each of the first three pairs. */
export async function alternatingPairs(rounds: number, measureBase: () => Promise<number>, measureOurs: () => Promise<number>, measureExtra?: () => Promise<number>): Promise<PairedRuns> {
  const ours: number[] = [];
  const base: number[] = [];
  const extra: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      base.push(await measureBase());
      ours.push(await measureOurs());
    } else {
      ours.push(await measureOurs());
      base.push(await measureBase());
    }
    if (i < 3 && measureExtra) extra.push(await measureExtra());
  }
  return { ours, base, extra, ratio: median(ours.map((o, i) => o / base[i]!)) };
}
