// Setting values straight from argv. cac's parser turns "0123" into the number 123, which would
// corrupt tokens and ids, so values of setting flags are read here as the exact strings given.

export function rawFlagValues(argv: string[], flagNames: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!flagNames.has(name)) continue;
    if (eq >= 0) out[name] = arg.slice(eq + 1);
    else if (i + 1 < argv.length) out[name] = argv[++i]!;
  }
  return out;
}
