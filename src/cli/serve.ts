// `rnacos` (the default command): runs the server until SIGTERM/SIGINT.
import { createLogger } from "../log.ts";
import { startServer } from "../server.ts";
import type { Settings } from "./settings.ts";

export async function serve(settings: Settings): Promise<void> {
  const log = createLogger(settings.log);
  if (settings.httpWorkers !== null) log.debug("RNACOS_HTTP_WORKERS is accepted but not needed: one event loop serves all ports");
  const server = await startServer(settings, log);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn("second signal: exiting now", { signal });
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    log.info("shutting down", { signal });
    server.stop().then(
      () => process.exit(0),
      (err) => {
        log.error("shutdown failed", { error: err });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
