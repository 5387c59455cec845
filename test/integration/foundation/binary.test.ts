// `npm run build` gives one executable that runs from any directory, with the console embedded.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, REPO_ROOT, runRnacos, startServer, tempDir, waitFor, type ServerProcess } from "../../helpers/server.ts";

let server: ServerProcess;
let home: string;
let executable: string;

beforeAll(async () => {
  const build = Bun.spawn([process.execPath, "build.ts"], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  if ((await build.exited) !== 0) throw new Error(`build failed:\n${await new Response(build.stderr).text()}`);
  // A directory with nothing but the executable in it.
  home = tempDir("rnacos-bin-");
  executable = join(home, "rnacos");
  copyFileSync(BINARY, executable);
  chmodSync(executable, 0o755);
  server = await startServer({ binary: executable, cwd: home, defaultDataDir: true, env: { RNACOS_LOG: "info,store=debug" } });
}, 120_000);

afterAll(async () => {
  await server?.kill();
});

test("the binary runs alone in its directory, with its database in ./nacos_db", async () => {
  expect(existsSync(join(home, "node_modules"))).toBe(false);
  // stderr arrives through a pipe: the line may land just after readiness answers.
  await waitFor("the start-up line", () => (server.output().includes("rnacos ready") ? true : undefined));
  expect(existsSync(join(home, "nacos_db", "rnacos.db"))).toBe(true);
});

test("under writes the binary runs its checkpoint worker (no fallback to checkpoints on commit)", async () => {
  // the worker starts with the first 2000 writes
  for (let batch = 0; batch < 40; batch++) {
    await Promise.all(Array.from({ length: 64 }, (_, i) => fetch(`${server.url}/nacos/v1/cs/configs`, { method: "POST", body: new URLSearchParams({ dataId: `w${i}`, group: "G", content: `${batch}` }) })));
  }
  const outcome = await waitFor("the checkpoint worker's start or its failure", () => {
    const out = server.output();
    return out.includes("checkpoints run in a worker thread") ? "started" : out.includes("checkpoint worker unavailable") ? "fell back" : undefined;
  });
  expect(outcome).toBe("started");
});

test("the binary serves the probes", async () => {
  expect(await (await fetch(`${server.url}/nacos/v1/console/health/readiness`)).text()).toBe("OK");
});

test("the console page and its scripts are served from the binary", async () => {
  const res = await fetch(`${server.consoleUrl}/rnacos/`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/html");
  const html = await res.text();
  expect(html).toContain("<title>rnacos console</title>");
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
  expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
  for (const asset of assets) {
    const body = await (await fetch(server.consoleUrl + asset)).text();
    expect(body.length).toBeGreaterThan(0);
    if (asset.endsWith(".js")) expect(body).toContain("/rnacos/api/console/v2/server/state");
  }
});

test("the console API the page reads reports version, state and ports", async () => {
  const res = await fetch(`${server.consoleUrl}/rnacos/api/console/v2/server/state`);
  const { data } = (await res.json()) as { data: Record<string, unknown> };
  expect(data).toMatchObject({ phase: "ready", nodeId: 1, httpPort: server.httpPort, grpcPort: server.grpcPort, consolePort: server.consolePort });
  const unknown = await fetch(`${server.consoleUrl}/rnacos/api/console/v2/nothing`);
  expect(unknown.status).toBe(404);
});

test("the binary's --version matches package.json", async () => {
  const pkg = (await Bun.file(join(REPO_ROOT, "package.json")).json()) as { version: string };
  const { stdout } = await runRnacos(["--version"], { binary: executable, cwd: home });
  expect(stdout).toContain(pkg.version);
});

test("the binary reads .env only when -e is not given (Bun's own .env loading is off)", async () => {
  const cwd = tempDir("rnacos-bin-env-");
  writeFileSync(join(cwd, ".env"), "RNACOS_RAFT_NODE_ID=7\nRNACOS_RAFT_AUTO_INIT=true\n");
  writeFileSync(join(cwd, "other.env"), "RNACOS_RAFT_NODE_ID=9\nRNACOS_RAFT_AUTO_INIT=true\n");
  for (const [args, nodeId] of [[["-e", join(cwd, "other.env")], 9], [[], 7]] as const) {
    const run = await startServer({ binary: executable, cwd, args: [...args] });
    try {
      await waitFor("the start-up line", () => (run.output().includes("rnacos ready") ? true : undefined));
      expect(run.output()).toMatch(new RegExp(`rnacos ready .* nodeId=${nodeId} `));
    } finally {
      await run.kill();
    }
  }
});
