// What Bun serves itself on the console port: the bundled web console at /rnacos (the HTML bundle
// and its hashed JS/CSS, which `bun build --compile` embeds).
import consolePage from "../../../web/index.html";

/**
 * "/rnacos/*" also answers "/rnacos/" and client-side routes; the console API under "/rnacos/api/"
 * goes to the port's Elysia app (`api`).
 */
export function consolePageRoutes(api: (request: Request) => Response | Promise<Response>) {
  return {
    "/rnacos": consolePage,
    "/rnacos/*": consolePage,
    "/": consolePage,
    "/rnacos/api/*": api,
  };
}
