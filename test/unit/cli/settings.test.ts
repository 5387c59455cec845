import { describe, expect, test } from "bun:test";
import { flagName, resolveSettings, SETTING_DEFS, settingsHelp, SettingsError } from "../../../src/cli/settings.ts";
import { rawFlagValues } from "../../../src/cli/raw-flags.ts";
import { SETTING_FLAGS } from "../../../src/cli/load-settings.ts";

const resolve = (flags: Record<string, string> = {}, env: Record<string, string> = {}, envFile: Record<string, string> = {}) =>
  resolveSettings({ flags, env, envFile });

describe("defaults follow r-nacos 0.8.5", () => {
  test("ports derive from the HTTP port", () => {
    const s = resolve();
    expect([s.httpPort, s.grpcPort, s.httpConsolePort]).toEqual([8848, 9848, 10848]);
    const t = resolve({}, { RNACOS_HTTP_PORT: "18000" });
    expect([t.httpPort, t.grpcPort, t.httpConsolePort]).toEqual([18000, 19000, 20000]);
  });

  test("hosts, data dir, raft and naming defaults", () => {
    const s = resolve();
    expect(s.sdkHost).toBe("0.0.0.0");
    expect(s.consoleHost).toBe("0.0.0.0");
    expect(s.dataDir).toBe("nacos_db");
    expect(s.raftNodeId).toBe(1);
    expect(s.raftNodeAddr).toBe("127.0.0.1:9848");
    expect(s.raftAutoInit).toBe(true);
    expect(s.raftJoinAddr).toBe("");
    expect(s.raftSnapshotLogSize).toBe(10000);
    expect(s.configMaxContent).toBe(10 * 1024 * 1024);
    expect(s.namingHealthTimeoutSecond).toBe(15);
    expect(s.namingInstanceTimeoutSecond).toBe(30);
    expect(s.grpcDetectionTimeoutSecond).toBe(15);
    expect(s.consoleLoginTimeout).toBe(86400);
    expect(s.gmtOffsetHours).toBeNull();
    expect(s.httpWorkers).toBeNull();
    expect(s.log.defaultLevel).toBe("info");
  });

  test("auto init defaults to true only for node 1", () => {
    expect(resolve({}, { RNACOS_RAFT_NODE_ID: "2" }).raftAutoInit).toBe(false);
    expect(resolve({}, { RNACOS_RAFT_NODE_ID: "2", RNACOS_RAFT_AUTO_INIT: "true" }).raftAutoInit).toBe(true);
  });

  test("console host follows the SDK host unless set", () => {
    expect(resolve({}, { RNACOS_SDK_HOST: "127.0.0.1" }).consoleHost).toBe("127.0.0.1");
    expect(resolve({}, { RNACOS_SDK_HOST: "127.0.0.1", RNACOS_CONSOLE_HOST: "0.0.0.0" }).consoleHost).toBe("0.0.0.0");
  });
});

describe("precedence: flag > environment > env file > default", () => {
  test("each source wins over the ones below it", () => {
    expect(resolve({}, {}, { RNACOS_HTTP_PORT: "1001" }).httpPort).toBe(1001);
    expect(resolve({}, { RNACOS_HTTP_PORT: "1002" }, { RNACOS_HTTP_PORT: "1001" }).httpPort).toBe(1002);
    expect(resolve({ "http-port": "1003" }, { RNACOS_HTTP_PORT: "1002" }, { RNACOS_HTTP_PORT: "1001" }).httpPort).toBe(1003);
  });

  test("RNACOS_DATA_DIR wins over the older RNACOS_CONFIG_DB_DIR, in every source", () => {
    expect(resolve({}, { RNACOS_CONFIG_DB_DIR: "old" }).dataDir).toBe("old");
    expect(resolve({}, { RNACOS_CONFIG_DB_DIR: "old", RNACOS_DATA_DIR: "new" }).dataDir).toBe("new");
    expect(resolve({}, {}, { RNACOS_CONFIG_DB_DIR: "old", RNACOS_DATA_DIR: "new" }).dataDir).toBe("new");
    expect(resolve({}, { RNACOS_CONFIG_DB_DIR: "env-old" }, { RNACOS_DATA_DIR: "file-new" }).dataDir).toBe("env-old");
  });

  test("RNACOS_LOG wins over RUST_LOG", () => {
    expect(resolve({}, { RUST_LOG: "debug" }).log.defaultLevel).toBe("debug");
    expect(resolve({}, { RUST_LOG: "debug", RNACOS_LOG: "warn" }).log.defaultLevel).toBe("warn");
    const s = resolve({}, { RNACOS_LOG: "warn,raft=trace" });
    expect(s.log.modules.get("raft")).toBe("trace");
  });

  test("a derived default follows the setting it derives from, whatever its source", () => {
    expect(resolve({ "http-port": "7000" }).grpcPort).toBe(8000);
  });
});

describe("invalid values are refused with the setting, the value and what is allowed", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ RNACOS_HTTP_PORT: "abc" }, /RNACOS_HTTP_PORT="abc".*port number 1-65535/],
    [{ RNACOS_HTTP_PORT: "70000" }, /RNACOS_HTTP_PORT="70000"/],
    [{ RNACOS_GRPC_PORT: "0" }, /RNACOS_GRPC_PORT="0"/],
    [{ RNACOS_LOG: "loud" }, /RNACOS_LOG="loud".*error, warn, info, debug or trace/],
    [{ RUST_LOG: "verbose" }, /RUST_LOG="verbose"/],
    [{ RNACOS_RAFT_AUTO_INIT: "maybe" }, /RNACOS_RAFT_AUTO_INIT="maybe".*true or false/],
    [{ RNACOS_RAFT_NODE_ID: "-1" }, /RNACOS_RAFT_NODE_ID/],
    [{ RNACOS_RAFT_JOIN_ADDR: "nohost" }, /RNACOS_RAFT_JOIN_ADDR.*host:port/],
    [{ RNACOS_GMT_OFFSET_HOURS: "25" }, /RNACOS_GMT_OFFSET_HOURS/],
    [{ RNACOS_LDAP_USER_DEFAULT_ROLE: "king" }, /VISITOR, DEVELOPER or ADMIN/],
  ];
  for (const [env, message] of cases) {
    test(Object.keys(env)[0]!, () => {
      expect(() => resolve({}, env)).toThrow(SettingsError);
      expect(() => resolve({}, env)).toThrow(message);
    });
  }

  test("a bad flag is named as the flag", () => {
    expect(() => resolve({ "http-port": "x" })).toThrow(/--http-port="x"/);
  });

  test("a bad env file value is named as coming from the env file", () => {
    expect(() => resolve({}, {}, { RNACOS_ENABLE_METRICS: "sure" })).toThrow(/RNACOS_ENABLE_METRICS \(env file\)="sure"/);
  });
});

test("every setting has a flag, and --help text lists each with its default", () => {
  const help = settingsHelp();
  for (const d of Object.values(SETTING_DEFS)) {
    expect(SETTING_FLAGS.has(flagName(d.env))).toBe(true);
    expect(help).toContain(d.env);
  }
  expect(flagName("RNACOS_HTTP_CONSOLE_PORT")).toBe("http-console-port");
});

test("flag values are read as exact strings (no number coercion)", () => {
  const flags = rawFlagValues(["--cluster-token", "0123", "--http-port=09000", "--other", "x", "--", "--log", "debug"], SETTING_FLAGS);
  expect(flags).toEqual({ "cluster-token": "0123", "http-port": "09000" });
  expect(resolve(flags).clusterToken).toBe("0123");
});
