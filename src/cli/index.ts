// The rnacos command line (cac). Every setting is also a flag; --help lists them with defaults.
import { cac } from "cac";
import { VERSION } from "../version.ts";
import { StartupError } from "../startup-error.ts";
import { flagName, SETTING_DEFS, SettingsError } from "./settings.ts";
import { loadSettings } from "./load-settings.ts";
import { serve } from "./serve.ts";
import { CLUSTER_ACTIONS, runClusterCommand, UsageError } from "./cluster-command.ts";

export async function runCli(argv: string[]): Promise<void> {
  // `rnacos` with no arguments runs the server: the same as cac's default command, without
  // building the parser for ~60 flags first (start-up time).
  if (argv.length === 0) return exitOnUsageError(() => serve(loadSettings(argv, process.env, undefined)));
  const cli = cac("rnacos");
  cli.option("-e, --env-file <file>", "env file to read settings from (default: .env when present)");
  for (const d of Object.values(SETTING_DEFS)) {
    const alias = d.alias ? ` (or ${d.alias})` : "";
    cli.option(`--${flagName(d.env)} <value>`, `${d.env}${alias}: ${d.doc} (default: ${d.defaultText})`);
  }
  cli
    .command("", "Run the server (the default command)")
    .action(async (options: { envFile?: string }) => {
      const settings = loadSettings(argv, process.env, options.envFile);
      await serve(settings);
    });
  cli
    .command("cluster <action> [arg]", `Manage the cluster through the running node: ${CLUSTER_ACTIONS.join(" | ")}`)
    .usage("cluster status | cluster join HOST:GRPC_PORT | cluster leave | cluster remove ID | cluster transfer-leader ID")
    .action(async (action: string, arg: string | undefined, options: { envFile?: string }) => {
      const settings = loadSettings(argv, process.env, options.envFile);
      try {
        process.stdout.write(`${await runClusterCommand(action, arg, settings)}\n`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        process.stderr.write(`rnacos cluster ${action}: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
  cli.help((sections) => {
    sections.push({
      title: "Settings",
      body: "  Each setting is read from its flag, else its environment variable, else the env file, else its default.",
    });
  });
  cli.version(VERSION);
  await exitOnUsageError(async () => {
    cli.parse(["bun", "rnacos", ...argv], { run: false });
    if (cli.options.help || cli.options.version) return;
    await cli.runMatchedCommand();
  });
}

/** A bad setting, flag or command, or a start that cannot go on: one line on stderr, exit code 2. */
async function exitOnUsageError(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof SettingsError || err instanceof StartupError || err instanceof UsageError || (err as Error).name === "CACError") {
      process.stderr.write(`rnacos: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
