// Starts an Elysia app on one port with the options every rnacos port shares.
import type { Elysia } from "elysia";
import type { Server } from "bun";
import { StartupError } from "../startup-error.ts";

export interface ListenOptions {
  hostname: string;
  port: number;
  /** Which setting names this port, for the error message. */
  setting: string;
  maxBodyBytes: number;
}

export function listen(app: Elysia<any, any, any, any, any, any, any>, opts: ListenOptions): Server<unknown> {
  try {
    app.listen({
      hostname: opts.hostname,
      port: opts.port,
      // Elysia defaults to SO_REUSEPORT, which would let a second server share the port silently.
      reusePort: false,
      development: false,
      maxRequestBodySize: opts.maxBodyBytes,
      // Long-polling holds requests for up to 30 s with no bytes sent; leave margin.
      idleTimeout: 120,
    } as Parameters<typeof app.listen>[0]);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new StartupError(`port ${opts.port} (${opts.setting}) on ${opts.hostname} is already in use; stop the other process or set ${opts.setting}`);
    }
    if (code === "EACCES") throw new StartupError(`no permission to listen on ${opts.hostname}:${opts.port} (${opts.setting})`);
    throw err;
  }
  return app.server!;
}
