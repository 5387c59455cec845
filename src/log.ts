// One line per event: time, level, module, message, then key=value fields.
// The level comes from RNACOS_LOG or RUST_LOG ("info", or "info,raft=debug").

export const LOG_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly module: string;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  trace(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  child(module: string): Logger;
}

export interface LogFilter {
  defaultLevel: LogLevel;
  modules: Map<string, LogLevel>;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

/** Parses "info" or "warn,raft=debug,grpc=trace"; returns an error text for anything else. */
export function parseLogFilter(spec: string): LogFilter | string {
  const filter: LogFilter = { defaultLevel: "info", modules: new Map() };
  for (const raw of spec.split(",")) {
    const part = raw.trim().toLowerCase();
    if (part === "") continue;
    const eq = part.indexOf("=");
    const level = (eq < 0 ? part : part.slice(eq + 1)) as LogLevel;
    if (!(level in RANK)) return `unknown log level "${level}" (allowed: ${LOG_LEVELS.join(", ")})`;
    if (eq < 0) filter.defaultLevel = level;
    else filter.modules.set(part.slice(0, eq), level);
  }
  return filter;
}

export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => process.stderr.write(line + "\n");

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /^[^\s="]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

export function formatLine(level: LogLevel, module: string, message: string, fields?: LogFields, now = new Date()): string {
  let line = `${now.toISOString()} ${level.toUpperCase().padEnd(5)} ${module}: ${message}`;
  if (fields) for (const [key, value] of Object.entries(fields)) line += ` ${key}=${formatValue(value)}`;
  return line;
}

export function createLogger(filter: LogFilter, module = "rnacos", sink: LogSink = stderrSink): Logger {
  const limit = RANK[filter.modules.get(module) ?? filter.defaultLevel];
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[level] <= limit) sink(formatLine(level, module, message, fields));
  };
  return {
    module,
    error: emit("error"),
    warn: emit("warn"),
    info: emit("info"),
    debug: emit("debug"),
    trace: emit("trace"),
    enabled: (level) => RANK[level] <= limit,
    child: (name) => createLogger(filter, name, sink),
  };
}

/** A logger that drops everything; for unit tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ defaultLevel: "error", modules: new Map() }, "test", () => {});
