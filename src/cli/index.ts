// The rnacos command line (cac). Every setting is also a flag; --help lists them with defaults.
import { cac } from "cac";
import { VERSION } from "../version.ts";
import { StartupError } from "../startup-error.ts";
import { flagName, SETTING_DEFS, SettingsError } from "./settings.ts";
import { loadSettings } from "./load-settings.ts";
import { serve } from "./serve.ts";

export async function runCli(argv: string[]): Promise<void> {
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
  cli.help((sections) => {
    sections.push({
      title: "Settings",
      body: "  Each setting is read from its flag, else its environment variable, else the env file, else its default.",
    });
  });
  cli.version(VERSION);
  try {
    cli.parse(["bun", "rnacos", ...argv], { run: false });
    if (cli.options.help || cli.options.version) return;
    await cli.runMatchedCommand();
  } catch (err) {
    if (err instanceof SettingsError || err instanceof StartupError || (err as Error).name === "CACError") {
      process.stderr.write(`rnacos: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
