// Gathers the three sources of settings (flags, environment, env file) and resolves them.
import { existsSync, readFileSync } from "node:fs";
import { parseEnvFile } from "./env-file.ts";
import { rawFlagValues } from "./raw-flags.ts";
import { flagName, resolveSettings, SETTING_DEFS, SettingsError, type Settings } from "./settings.ts";

export const SETTING_FLAGS = new Set(Object.values(SETTING_DEFS).map((d) => flagName(d.env)));

/** `envFile` is the -e value; without it `.env` in the working directory is read when present. */
export function loadSettings(argv: string[], env: Record<string, string | undefined>, envFile: string | undefined): Settings {
  return resolveSettings({ flags: rawFlagValues(argv, SETTING_FLAGS), env, envFile: readEnvFile(envFile) });
}

function readEnvFile(path: string | undefined): Record<string, string> {
  if (path === undefined || path === "") {
    if (!existsSync(".env")) return {};
    path = ".env";
  }
  try {
    return parseEnvFile(readFileSync(path, "utf8"));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SettingsError(`cannot read env file ${path} (${reason}); give a readable file with -e FILE`);
  }
}
