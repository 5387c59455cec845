// npm run bench -- NAME [NAME...]: runs named benchmarks from bench/suites and records their rows.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const suitesDir = join(import.meta.dir, "suites");
const available = readdirSync(suitesDir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
const names = process.argv.slice(2);
if (names.length === 0 || names.includes("--help")) {
  console.log(`usage: npm run bench -- NAME [NAME...] | all\navailable: ${available.join(", ")}`);
  process.exit(names.length === 0 ? 2 : 0);
}
const selected = names.includes("all") ? available : names;
for (const name of selected) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(", ")}`);
    process.exit(2);
  }
}
for (const name of selected) {
  console.log(`bench: ${name}`);
  const suite = (await import(join(suitesDir, `${name}.ts`))) as { default: () => Promise<void> };
  await suite.default();
}
process.exit(0);
