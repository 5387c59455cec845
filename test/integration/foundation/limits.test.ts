// Explicit request limits: body (413), URL (414), headers (431); the server keeps serving after.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startServer, type ServerProcess } from "../../helpers/server.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({
    env: { RNACOS_HTTP_MAX_BODY_SIZE: "4096", RNACOS_HTTP_MAX_URL_LENGTH: "512", RNACOS_HTTP_MAX_HEADER_SIZE: "2048" },
  });
});
afterAll(async () => {
  await server?.kill();
});

test("a body over the limit gets 413", async () => {
  const res = await fetch(`${server.url}/nacos/v1/console/health/readiness`, { method: "POST", body: "x".repeat(5000) });
  expect(res.status).toBe(413);
});

test("a URL over the limit gets 414", async () => {
  const res = await fetch(`${server.url}/nacos/v1/console/health/readiness?pad=${"a".repeat(600)}`);
  expect(res.status).toBe(414);
  expect(((await res.json()) as { status: number }).status).toBe(414);
});

test("headers over the limit get 431", async () => {
  const res = await fetch(`${server.url}/nacos/v1/console/health/readiness`, { headers: { "x-pad": "h".repeat(3000) } });
  expect(res.status).toBe(431);
});

test("requests within the limits still work afterwards", async () => {
  const res = await fetch(`${server.url}/nacos/v1/console/health/readiness?pad=${"a".repeat(100)}`, { headers: { "x-pad": "h".repeat(500) } });
  expect(res.status).toBe(200);
});
