// The baseline every HTTP figure is a ratio of: Bun.serve answering "OK" with nothing else.
const port = Number(process.env.PORT ?? 0);
const server = Bun.serve({ hostname: "127.0.0.1", port, reusePort: false, fetch: () => new Response("OK") });
console.log(`listening ${server.port}`);
export {};
