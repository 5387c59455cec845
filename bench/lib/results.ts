// Appends one row per benchmark run to bench/RESULTS.md.
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeMachine } from "./machine.ts";

const FILE = join(import.meta.dir, "..", "RESULTS.md");
const HEADER = `# Benchmark results

Rows are appended by \`npm run bench -- NAME\`. Each compares rnacos with a baseline measured in
the same run, so the ratio holds on a noisy machine; targets come from the issues.

| date (UTC) | benchmark | command | rnacos | baseline | ratio | target | met | machine |
|---|---|---|---|---|---|---|---|---|
`;

export interface ResultRow {
  benchmark: string;
  command: string;
  figure: string;
  baseline: string;
  ratio: string;
  target: string;
  /** Left out when the issue asks for the figure without a target: the row shows "—". */
  met?: boolean;
}

export function recordResult(row: ResultRow): void {
  if (!existsSync(FILE)) writeFileSync(FILE, HEADER);
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const cells = [date, row.benchmark, `\`${row.command}\``, row.figure, row.baseline, row.ratio, row.target, row.met === undefined ? "—" : row.met ? "yes" : "**no**", describeMachine()];
  appendFileSync(FILE, `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |\n`);
  console.log(`${row.benchmark}: ${row.figure} vs ${row.baseline} (ratio ${row.ratio}; target ${row.target}: ${row.met === undefined ? "none" : row.met ? "met" : "NOT met"})`);
}
