// Starts one rnacos port: Bun.serve with the options every port shares, routes Bun serves itself
// (hot SDK paths, health probes, the console's HTML bundle) and an Elysia app for the rest.
// The Elysia app is loaded (Elysia and the route code are a dynamic import, a separate chunk of the
// executable) and built on first use or by warm(), whichever comes first: that costs milliseconds
// that need not delay readiness. The port listens and answers every route from the start; a request
// that arrives before warm() ran only waits for the build.
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type App = Elysia<any, any, any, any, any, any, any>;

/** Request handler that hands a request to the port's Elysia app. */
export type ToApp = (request: Request) => Response | Promise<Response>;

export interface Port {
  server: Server<unknown>;
  /** Loads and builds the Elysia app now if no request has yet. */
  warm(): Promise<void>;
}

/** `routes` are Bun's own routes for this port; a route may pass its request on to the app (`toApp`). */
export function listen(buildApp: () => Promise<App>, routes: (toApp: ToApp) => Record<string, unknown>, opts: ListenOptions): Port {
  let app: App | undefined;
  let building: Promise<App> | undefined;
  let server: Server<unknown>;
  const ensure = (): Promise<App> =>
    (building ??= buildApp().then(
      (built) => {
        // Handlers read the client address through the context's `server`, which Elysia takes from here.
        built.server = server;
        app = built;
        return built;
      },
      (err: unknown) => {
        building = undefined; // the next request tries again rather than failing for good
        throw err;
      },
    ));
  const toApp: ToApp = (request) => (app ? app.fetch(request) : ensure().then((built) => built.fetch(request)));
  try {
    server = Bun.serve({
      hostname: opts.hostname,
      port: opts.port,
      // SO_REUSEPORT would let a second server share the port silently.
      reusePort: false,
      development: false,
      maxRequestBodySize: opts.maxBodyBytes,
      // Long-polling holds requests for up to 30 s with no bytes sent; leave margin.
      idleTimeout: 120,
      routes: routes(toApp),
      fetch: toApp,
    } as Parameters<typeof Bun.serve>[0]);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE") {
      throw new StartupError(`port ${opts.port} (${opts.setting}) on ${opts.hostname} is already in use; stop the other process or set ${opts.setting}`);
    }
    if (code === "EACCES") throw new StartupError(`no permission to listen on ${opts.hostname}:${opts.port} (${opts.setting})`);
    throw err;
  }
  return { server, warm: () => ensure().then(() => undefined) };
}
