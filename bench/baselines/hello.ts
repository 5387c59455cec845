// Compiled hello-world: the floor for cold start, built with the same flags as dist/rnacos.
const port = Number(process.env.PORT ?? process.env.RNACOS_HTTP_PORT ?? 0);
Bun.serve({ hostname: "127.0.0.1", port, reusePort: false, fetch: () => new Response("OK") });
export {};
