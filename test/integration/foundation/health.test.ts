// The real server process answers its probes and errors as Nacos and r-nacos do.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startServer, waitFor, type ServerProcess } from "../../helpers/server.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.kill();
});

test("liveness and readiness answer OK", async () => {
  for (const path of ["/nacos/v1/console/health/liveness", "/nacos/v1/console/health/readiness"]) {
    const res = await fetch(server.url + path);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("OK");
  }
});

test("r-nacos /health answers success on both ports", async () => {
  for (const base of [server.url, server.consoleUrl]) {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("success");
  }
});

test("an unknown path gets a Nacos-style 404 body", async () => {
  const res = await fetch(`${server.url}/nacos/v1/nothing/here`);
  expect(res.status).toBe(404);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: 404, error: "Not Found", path: "/nacos/v1/nothing/here" });
  expect(typeof body.timestamp).toBe("string");
  expect(String(body.message)).toContain("/nacos/v1/nothing/here");
});

test("the start-up line names version, ports, data dir, node id and time to ready", async () => {
  // stderr is read asynchronously: readiness may answer before the line has been collected
  const line = await waitFor("the start-up line", () => server.output().split("\n").find((l) => l.includes("rnacos ready")));
  expect(line).toBeDefined();
  expect(line).toContain(`http=127.0.0.1:${server.httpPort}`);
  expect(line).toContain(`grpc=127.0.0.1:${server.grpcPort}`);
  expect(line).toContain(`console=127.0.0.1:${server.consolePort}`);
  expect(line).toContain(`dataDir=${server.dataDir}`);
  expect(line).toMatch(/version=\d+\.\d+\.\d+ /);
  expect(line).toMatch(/nodeId=1 /);
  expect(line).toMatch(/readyMs=\d+/);
});

test("nothing is logged per request at info", async () => {
  const before = server.output().length;
  for (let i = 0; i < 20; i++) await fetch(`${server.url}/nacos/v1/console/health/readiness`);
  await fetch(`${server.url}/missing`);
  expect(server.output().slice(before)).toBe("");
});

test("headers over Bun's 16 KiB cap get 431 with the default settings", async () => {
  const res = await fetch(`${server.url}/nacos/v1/console/health/readiness`, { headers: { "x-pad": "h".repeat(17_000) } });
  expect(res.status).toBe(431);
  expect((await fetch(`${server.url}/nacos/v1/console/health/readiness`)).status).toBe(200);
});
