// Every setting the server reads: its environment name (r-nacos 0.8.5 names kept), the CLI flag
// derived from it, its default and how a value is checked. Resolution order:
// CLI flag > environment > env file > default.
import { parseLogFilter, type LogFilter } from "../log.ts";

export class SettingsError extends Error {}

/** Settings resolved so far, for derived defaults (typed loosely to avoid a circular type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Earlier = Record<string, any>;

type Parse<T> = (raw: string) => T | { error: string };

interface SettingDef<T> {
  env: string;
  /** Also read when `env` is unset (older r-nacos names). */
  alias?: string;
  doc: string;
  /** Default shown in --help; a function when it depends on other settings. */
  defaultText: string;
  parse: Parse<T>;
  fallback: (s: Earlier) => T;
}

const port: Parse<number> = (raw) => {
  const n = Number(raw);
  return /^\d+$/.test(raw.trim()) && n >= 1 && n <= 65535 ? n : { error: "a port number 1-65535" };
};
const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parse<number> =>
  (raw) => {
    const n = Number(raw);
    return /^-?\d+$/.test(raw.trim()) && n >= min && n <= max ? n : { error: `an integer ${min}-${max}` };
  };
const ratio: Parse<number> = (raw) => {
  const n = Number(raw);
  return raw.trim() !== "" && Number.isFinite(n) && n >= 0 && n <= 1 ? n : { error: "a number from 0 to 1" };
};
const bool: Parse<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === "true" || v === "1" || v === "yes" || v === "on") return true;
  if (v === "false" || v === "0" || v === "no" || v === "off") return false;
  return { error: "true or false" };
};
const text: Parse<string> = (raw) => raw;
const nonEmpty: Parse<string> = (raw) => (raw.trim() === "" ? { error: "a non-empty value" } : raw.trim());
const hostPort: Parse<string> = (raw) =>
  /^[^\s:]+:\d{1,5}$/.test(raw.trim()) ? raw.trim() : { error: "host:port" };
const optionalHostPort: Parse<string> = (raw) => (raw.trim() === "" ? "" : hostPort(raw));
const logFilter: Parse<LogFilter> = (raw) => {
  const parsed = parseLogFilter(raw);
  return typeof parsed === "string" ? { error: "error, warn, info, debug or trace (optionally module=level,...)" } : parsed;
};
const gmtOffset: Parse<number | null> = (raw) => (raw.trim() === "" ? null : int(-12, 14)(raw));

function def<T>(d: Omit<SettingDef<T>, "defaultText" | "fallback"> & { default: T | ((s: Earlier) => T); defaultText?: string }): SettingDef<T> {
  const fallback = typeof d.default === "function" ? (d.default as (s: Earlier) => T) : () => d.default as T;
  const defaultText = d.defaultText ?? (typeof d.default === "function" ? "derived" : String(d.default));
  return { env: d.env, alias: d.alias, doc: d.doc, parse: d.parse, defaultText, fallback };
}

// Order matters: a derived default may read settings defined above it.
export const SETTING_DEFS = {
  httpPort: def({ env: "RNACOS_HTTP_PORT", doc: "Nacos OpenAPI (HTTP) port", parse: port, default: 8848 }),
  grpcPort: def({ env: "RNACOS_GRPC_PORT", doc: "Nacos gRPC and cluster port", parse: port, default: (s) => s.httpPort + 1000, defaultText: "HTTP port + 1000" }),
  httpConsolePort: def({ env: "RNACOS_HTTP_CONSOLE_PORT", doc: "console port (/rnacos)", parse: port, default: (s) => s.httpPort + 2000, defaultText: "HTTP port + 2000" }),
  sdkHost: def({ env: "RNACOS_SDK_HOST", doc: "address the HTTP and gRPC ports bind", parse: nonEmpty, default: "0.0.0.0" }),
  consoleHost: def({ env: "RNACOS_CONSOLE_HOST", doc: "address the console port binds", parse: nonEmpty, default: (s) => s.sdkHost, defaultText: "RNACOS_SDK_HOST" }),
  httpWorkers: def({ env: "RNACOS_HTTP_WORKERS", doc: "accepted for r-nacos compatibility; not needed (one event loop)", parse: int(1, 1024), default: null as number | null, defaultText: "unset" }),
  dataDir: def({ env: "RNACOS_DATA_DIR", alias: "RNACOS_CONFIG_DB_DIR", doc: "data directory (SQLite database); RNACOS_CONFIG_DB_DIR is the older name", parse: nonEmpty, default: "nacos_db" }),
  configDbFile: def({ env: "RNACOS_CONFIG_DB_FILE", doc: "accepted for r-nacos compatibility (its pre-0.4 database file)", parse: text, default: "config.db" }),
  configMaxContent: def({ env: "RNACOS_CONFIG_MAX_CONTENT", doc: "largest config content in bytes", parse: int(1), default: 10 * 1024 * 1024 }),
  runInDocker: def({ env: "RNACOS_RUN_IN_DOCKER", doc: "accepted for r-nacos compatibility", parse: bool, default: false }),
  raftNodeId: def({ env: "RNACOS_RAFT_NODE_ID", doc: "this node's Raft id", parse: int(1), default: 1 }),
  raftNodeAddr: def({ env: "RNACOS_RAFT_NODE_ADDR", doc: "address other nodes reach this node's gRPC port at", parse: hostPort, default: (s) => `127.0.0.1:${s.grpcPort}`, defaultText: "127.0.0.1:<gRPC port>" }),
  raftAutoInit: def({ env: "RNACOS_RAFT_AUTO_INIT", doc: "initialise a one-member cluster when the data dir is empty", parse: bool, default: (s) => s.raftNodeId === 1, defaultText: "true when node id is 1" }),
  raftJoinAddr: def({ env: "RNACOS_RAFT_JOIN_ADDR", doc: "join the cluster through this member at start (host:port)", parse: optionalHostPort, default: "", defaultText: "unset" }),
  raftWriteTimeoutSecond: def({ env: "RNACOS_RAFT_WRITE_TIMEOUT_SECOND", doc: "a write not committed within this fails as unavailable (no quorum)", parse: int(1, 3600), default: 10 }),
  raftSnapshotLogSize: def({ env: "RNACOS_RAFT_SNAPSHOT_LOG_SIZE", doc: "log entries between snapshots (compaction)", parse: int(1), default: 10000 }),
  clusterToken: def({ env: "RNACOS_CLUSTER_TOKEN", doc: "shared secret for cluster traffic", parse: text, default: "", defaultText: "unset" }),
  backupToken: def({ env: "RNACOS_BACKUP_TOKEN", doc: "token for backup downloads (ignored when shorter than 32 chars)", parse: text, default: "", defaultText: "unset" }),
  gmtOffsetHours: def({ env: "RNACOS_GMT_OFFSET_HOURS", doc: "time zone offset for log and console times", parse: gmtOffset, default: null as number | null, defaultText: "local" }),
  enableNoAuthConsole: def({ env: "RNACOS_ENABLE_NO_AUTH_CONSOLE", doc: "console without login", parse: bool, default: false }),
  consoleLoginTimeout: def({ env: "RNACOS_CONSOLE_LOGIN_TIMEOUT", doc: "console session lifetime in seconds", parse: int(1), default: 86400 }),
  consoleLoginOneHourLimit: def({ env: "RNACOS_CONSOLE_LOGIN_ONE_HOUR_LIMIT", doc: "failed console logins allowed per hour", parse: int(0), default: 5 }),
  consoleCaptchaEnable: def({ env: "RNACOS_CONSOLE_ENABLE_CAPTCHA", doc: "captcha on console login", parse: bool, default: true }),
  openapiEnableAuth: def({ env: "RNACOS_ENABLE_OPEN_API_AUTH", doc: "require login for the OpenAPI and gRPC", parse: bool, default: false }),
  openapiLoginTimeout: def({ env: "RNACOS_API_LOGIN_TIMEOUT", doc: "OpenAPI access token lifetime in seconds", parse: int(1), default: 3600 }),
  openapiLoginOneMinuteLimit: def({ env: "RNACOS_API_LOGIN_ONE_MINUTE_LIMIT", doc: "OpenAPI logins allowed per minute", parse: int(0), default: 100 }),
  initAdminUsername: def({ env: "RNACOS_INIT_ADMIN_USERNAME", doc: "first admin user", parse: nonEmpty, default: "admin" }),
  initAdminPassword: def({ env: "RNACOS_INIT_ADMIN_PASSWORD", doc: "first admin password", parse: nonEmpty, default: "admin" }),
  metricsEnable: def({ env: "RNACOS_ENABLE_METRICS", doc: "collect metrics", parse: bool, default: true }),
  metricsCollectIntervalSecond: def({ env: "RNACOS_METRICS_COLLECT_INTERVAL_SECOND", doc: "metrics collection interval", parse: int(1), default: 15 }),
  metricsLogEnable: def({ env: "RNACOS_METRICS_ENABLE_LOG", doc: "write metrics to the log", parse: bool, default: false }),
  metricsLogIntervalSecond: def({ env: "RNACOS_METRICS_LOG_INTERVAL_SECOND", doc: "metrics log interval (at least 5)", parse: int(5), default: 60 }),
  namingHealthTimeoutSecond: def({ env: "RNACOS_NAMING_HEALTH_TIMEOUT_SECOND", doc: "an ephemeral instance without beats turns unhealthy after this", parse: int(1), default: 15 }),
  namingInstanceTimeoutSecond: def({ env: "RNACOS_NAMING_INSTANCE_TIMEOUT_SECOND", doc: "an ephemeral instance without beats is removed after this", parse: int(1), default: 30 }),
  namingPerpetualInstanceProbeIntervalSecond: def({ env: "RNACOS_NAMING_PERPETUAL_INSTANCE_PROBE_INTERVAL_SECOND", doc: "probe interval for persistent instances (0 turns probing off)", parse: int(0), default: 60 }),
  namingSelfPreservationEnable: def({ env: "RNACOS_NAMING_SELF_PRESERVATION_ENABLE", doc: "stop expiring instances when too many would expire at once (network trouble)", parse: bool, default: true }),
  namingSelfPreservationThreshold: def({ env: "RNACOS_NAMING_SELF_PRESERVATION_THRESHOLD", doc: "share of a service's or the node's instances that, expiring at once, triggers self-preservation", parse: ratio, default: 0.4 }),
  namingSelfPreservationMinInstances: def({ env: "RNACOS_NAMING_SELF_PRESERVATION_MIN_INSTANCES", doc: "services (and nodes) with fewer heartbeat instances never self-preserve", parse: int(1), default: 5 }),
  namingPushMergeMillis: def({ env: "RNACOS_NAMING_PUSH_MERGE_MILLIS", doc: "changes to one service within this window become one push per subscriber", parse: int(0, 60_000), default: 500 }),
  namingPushMaxPerSecond: def({ env: "RNACOS_NAMING_PUSH_MAX_PER_SECOND", doc: "most service pushes sent per second (all subscribers)", parse: int(1), default: 10_000 }),
  namingInstanceMetadataPersistenceEnable: def({ env: "RNACOS_NAMING_INSTANCE_METADATA_PERSISTENCE_ENABLE", doc: "accepted for r-nacos compatibility; console-set instance metadata is not kept yet", parse: bool, default: true }),
  ldapEnable: def({ env: "RNACOS_LDAP_ENABLE", doc: "console login through LDAP", parse: bool, default: false }),
  ldapUrl: def({ env: "RNACOS_LDAP_URL", doc: "LDAP server URL", parse: text, default: "", defaultText: "unset" }),
  ldapUserBaseDn: def({ env: "RNACOS_LDAP_USER_BASE_DN", doc: "LDAP user base DN", parse: text, default: "", defaultText: "unset" }),
  ldapUserFilter: def({ env: "RNACOS_LDAP_USER_FILTER", doc: "LDAP user filter", parse: text, default: "", defaultText: "unset" }),
  ldapUserDeveloperGroup: def({ env: "RNACOS_LDAP_USER_DEVELOPER_GROUP", doc: "LDAP groups mapped to developer (comma list)", parse: text, default: "", defaultText: "unset" }),
  ldapUserAdminGroup: def({ env: "RNACOS_LDAP_USER_ADMIN_GROUP", doc: "LDAP groups mapped to admin (comma list)", parse: text, default: "", defaultText: "unset" }),
  ldapUserDefaultRole: def({ env: "RNACOS_LDAP_USER_DEFAULT_ROLE", doc: "role of other LDAP users", parse: (raw) => (/^(VISITOR|DEVELOPER|ADMIN)$/i.test(raw.trim()) ? raw.trim().toUpperCase() : { error: "VISITOR, DEVELOPER or ADMIN" }), default: "VISITOR" }),
  grpcDetectionTimeoutSecond: def({ env: "RNACOS_GRPC_DETECTION_TIMEOUT_SECOND", doc: "idle gRPC connections are probed after this and dropped when silent", parse: int(1), default: 15 }),
  enableGrpcDetectionLog: def({ env: "RNACOS_ENABLE_GRPC_DETECTION_LOG", doc: "log connection probes", parse: bool, default: false }),
  grpcMaxMessageSize: def({ env: "RNACOS_GRPC_MAX_MESSAGE_SIZE", doc: "largest gRPC message in bytes", parse: int(1024), default: 10 * 1024 * 1024 }),
  grpcHandshakeTimeoutSecond: def({ env: "RNACOS_GRPC_HANDSHAKE_TIMEOUT_SECOND", doc: "a gRPC connection that has not sent ConnectionSetupRequest by then is closed (0: never)", parse: int(0), default: 30 }),
  grpcMaxConnections: def({ env: "RNACOS_GRPC_MAX_CONNECTIONS", doc: "most gRPC client connections at once", parse: int(1), default: 20000 }),
  httpMaxBodySize: def({ env: "RNACOS_HTTP_MAX_BODY_SIZE", doc: "largest HTTP request body in bytes (413 above)", parse: int(1024), default: 32 * 1024 * 1024 }),
  httpMaxUrlLength: def({ env: "RNACOS_HTTP_MAX_URL_LENGTH", doc: "longest request URL in bytes (414 above)", parse: int(256), default: 8192 }),
  httpMaxHeaderSize: def({ env: "RNACOS_HTTP_MAX_HEADER_SIZE", doc: "largest total request headers in bytes (431 above); at most 16384, Bun's own limit", parse: int(1024, 16384), default: 16384 }),
  shutdownTimeoutSecond: def({ env: "RNACOS_SHUTDOWN_TIMEOUT_SECOND", doc: "longest wait for in-flight work on SIGTERM", parse: int(0, 3600), default: 10 }),
  log: def({ env: "RNACOS_LOG", alias: "RUST_LOG", doc: "log level: error|warn|info|debug|trace, or module=level list; RUST_LOG also read", parse: logFilter, default: { defaultLevel: "info", modules: new Map() } as LogFilter, defaultText: "info" }),
} as const;

type Defs = typeof SETTING_DEFS;
export type Settings = { -readonly [K in keyof Defs]: Defs[K] extends SettingDef<infer T> ? T : never };
export type SettingKey = keyof Settings;

/** `RNACOS_HTTP_PORT` → `--http-port`; RNACOS_LOG → `--log`. */
export function flagName(env: string): string {
  return env.replace(/^RNACOS_/, "").toLowerCase().replace(/_/g, "-");
}

export interface SettingSources {
  flags: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
  envFile: Record<string, string>;
}

/** Resolves every setting from its sources; throws SettingsError naming the setting, value and what is allowed. */
export function resolveSettings(sources: SettingSources): Settings {
  const out: Earlier = {};
  for (const [key, d] of Object.entries(SETTING_DEFS) as [SettingKey, SettingDef<unknown>][]) {
    const found = lookup(d, sources);
    let value: unknown;
    if (found === undefined) {
      value = d.fallback(out);
    } else {
      const parsed = d.parse(found.raw);
      if (parsed !== null && typeof parsed === "object" && "error" in parsed) {
        throw new SettingsError(`invalid setting ${found.name}=${JSON.stringify(found.raw)}: expected ${(parsed as { error: string }).error}`);
      }
      value = parsed;
    }
    out[key] = value;
  }
  return out as Settings;
}

function lookup(d: SettingDef<unknown>, s: SettingSources): { name: string; raw: string } | undefined {
  const flag = flagName(d.env);
  if (s.flags[flag] !== undefined) return { name: `--${flag}`, raw: s.flags[flag]! };
  for (const name of [d.env, d.alias]) if (name && s.env[name] !== undefined) return { name, raw: s.env[name]! };
  for (const name of [d.env, d.alias]) if (name && s.envFile[name] !== undefined) return { name: `${name} (env file)`, raw: s.envFile[name]! };
  return undefined;
}

export function settingsHelp(): string {
  const rows = Object.values(SETTING_DEFS).map((d) => [d.env + (d.alias ? ` (or ${d.alias})` : ""), `--${flagName(d.env)}`, d.defaultText, d.doc]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ")).join("\n");
}
