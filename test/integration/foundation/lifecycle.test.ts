// Start-up failures exit 2 with one clear line; signals drain and exit 0.
import { describe, expect, test } from "bun:test";
import { existsSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { freePort, runRnacos, startServer, tempDir } from "../../helpers/server.ts";

/** The one line a failed start prints (logs may come before it). */
function failureLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  return lines[lines.length - 1]!;
}

async function expectExit2(env: Record<string, string>, args: string[] = [], pattern: RegExp, cwd?: string) {
  const result = await runRnacos(args, {
    env: { RNACOS_HTTP_PORT: String(await freePort()), RNACOS_DATA_DIR: join(tempDir(), "d"), RNACOS_SDK_HOST: "127.0.0.1", ...env },
    cwd,
  });
  expect(result.code).toBe(2);
  expect(failureLine(result.stderr)).toMatch(/^rnacos: /);
  expect(failureLine(result.stderr)).toMatch(pattern);
}

describe("exit code 2 with one clear line", () => {
  test("port not a number", () => expectExit2({ RNACOS_HTTP_PORT: "eighty" }, [], /RNACOS_HTTP_PORT="eighty".*port number/));
  test("port out of range", () => expectExit2({ RNACOS_GRPC_PORT: "65536" }, [], /RNACOS_GRPC_PORT="65536"/));
  test("unknown log level", () => expectExit2({ RUST_LOG: "chatty" }, [], /RUST_LOG="chatty".*error, warn, info, debug or trace/));
  test("bad boolean", () => expectExit2({ RNACOS_ENABLE_NO_AUTH_CONSOLE: "perhaps" }, [], /RNACOS_ENABLE_NO_AUTH_CONSOLE="perhaps".*true or false/));
  test("bad flag value", () => expectExit2({}, ["--http-port", "x1"], /--http-port="x1"/));
  test("unknown flag", () => expectExit2({}, ["--bogus-flag"], /Unknown option `--bogusFlag`/));
  test("missing env file", () => expectExit2({}, ["-e", "/nonexistent/rnacos.env"], /cannot read env file \/nonexistent\/rnacos.env \(ENOENT\)/));
  test("unreadable env file", async () => {
    if (process.getuid?.() === 0) {
      // root reads any file; a directory is unreadable as a file for everyone
      await expectExit2({}, ["-e", tempDir()], /cannot read env file .* \(EISDIR\)/);
      return;
    }
    const file = join(tempDir(), "locked.env");
    writeFileSync(file, "RNACOS_HTTP_PORT=1");
    chmodSync(file, 0);
    await expectExit2({}, ["-e", file], /cannot read env file .*EACCES/);
  });
  test("bad value inside the env file", async () => {
    const file = join(tempDir(), "bad.env");
    writeFileSync(file, "RNACOS_RAFT_NODE_ID=zero\n");
    await expectExit2({}, ["-e", file], /RNACOS_RAFT_NODE_ID \(env file\)="zero"/);
  });

  for (const [setting, name] of [
    ["RNACOS_HTTP_PORT", "HTTP"],
    ["RNACOS_HTTP_CONSOLE_PORT", "console"],
    ["RNACOS_GRPC_PORT", "gRPC"],
  ] as const) {
    test(`${name} port already in use`, async () => {
      const port = await freePort();
      const holder = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      try {
        const ports: Record<string, string> = {
          RNACOS_HTTP_PORT: String(await freePort()),
          RNACOS_GRPC_PORT: String(await freePort()),
          RNACOS_HTTP_CONSOLE_PORT: String(await freePort()),
          [setting]: String(port),
        };
        await expectExit2(ports, [], new RegExp(`port ${port} \\(${setting}\\).*already in use`));
      } finally {
        holder.stop(true);
      }
    });
  }

  test("data dir in use by another process", async () => {
    const first = await startServer();
    try {
      await expectExit2({ RNACOS_DATA_DIR: first.dataDir }, [], /data dir .* is in use by another rnacos process/);
      // the first server is unharmed
      expect((await fetch(`${first.url}/nacos/v1/console/health/readiness`)).status).toBe(200);
    } finally {
      await first.kill();
    }
  });
});

describe("signals", () => {
  test("SIGTERM drains and exits 0, leaving a clean database", async () => {
    const server = await startServer();
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output()).toContain("shutting down signal=SIGTERM");
    expect(server.output()).toContain("stopped");
    const wal = join(server.dataDir, "rnacos.db-wal");
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  });

  test("SIGINT exits 0 too", async () => {
    const server = await startServer();
    expect(await server.stop("SIGINT")).toBe(0);
  });

  test("the data dir is free again after a clean stop, and after SIGKILL", async () => {
    const first = await startServer();
    await first.stop("SIGTERM");
    const second = await startServer({ dataDir: first.dataDir });
    await second.kill();
    const third = await startServer({ dataDir: first.dataDir });
    expect((await fetch(`${third.url}/nacos/v1/console/health/readiness`)).status).toBe(200);
    await third.kill();
  });
});

describe("settings reach the running server", () => {
  test("flag > environment > env file, end to end", async () => {
    const dir = tempDir();
    const [fromFile, fromEnv, fromFlag] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(join(dir, "rnacos.env"), `RNACOS_HTTP_CONSOLE_PORT=${fromFile}\nRNACOS_GRPC_PORT=${fromFile}\nRNACOS_LOG=debug\n`);
    // the env file sets console+grpc ports and log level; the environment overrides grpc; a flag overrides the console port
    const grpcFromEnv = fromEnv;
    const server = await startServer({
      env: { RNACOS_GRPC_PORT: String(grpcFromEnv) },
      args: ["-e", join(dir, "rnacos.env"), "--http-console-port", String(fromFlag)],
    });
    try {
      const line = server.output().split("\n").find((l) => l.includes("rnacos ready"))!;
      expect(line).toContain(`grpc=127.0.0.1:${grpcFromEnv}`);
      expect(server.output()).toContain(" INFO ");
      const res = await fetch(`http://127.0.0.1:${fromFlag}/rnacos/api/console/v2/server/state`);
      expect(((await res.json()) as { data: { consolePort: number } }).data.consolePort).toBe(fromFlag);
    } finally {
      await server.kill();
    }
  });

  test("with -e FILE, .env in the working directory is not read at all", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, ".env"), "RNACOS_RAFT_NODE_ID=7\nRNACOS_RAFT_AUTO_INIT=true\n");
    writeFileSync(join(cwd, "other.env"), "RNACOS_RAFT_NODE_ID=9\nRNACOS_RAFT_AUTO_INIT=true\n");
    const server = await startServer({ cwd, args: ["-e", join(cwd, "other.env")] });
    try {
      expect(server.output()).toMatch(/rnacos ready .* nodeId=9 /);
    } finally {
      await server.kill();
    }
  });

  test(".env in the working directory is read when -e is not given", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, ".env"), "RNACOS_RAFT_NODE_ID=7\nRNACOS_RAFT_AUTO_INIT=true\n");
    const server = await startServer({ cwd });
    try {
      expect(server.output()).toMatch(/rnacos ready .* nodeId=7 /);
    } finally {
      await server.kill();
    }
  });
});

describe("command line", () => {
  test("--help lists every setting with its default", async () => {
    const { code, stdout } = await runRnacos(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--http-port <value>");
    expect(stdout).toContain("RNACOS_HTTP_PORT: Nacos OpenAPI (HTTP) port (default: 8848)");
    expect(stdout).toContain("RNACOS_DATA_DIR (or RNACOS_CONFIG_DB_DIR)");
    expect(stdout).toContain("-e, --env-file <file>");
    const { SETTING_DEFS } = await import("../../../src/cli/settings.ts");
    for (const d of Object.values(SETTING_DEFS)) expect(stdout).toContain(`${d.env}`);
  });

  test("--version prints the version", async () => {
    const { code, stdout } = await runRnacos(["--version"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/rnacos\/\d+\.\d+\.\d+/);
  });
});
