import { expect, test } from "bun:test";
import { createLogger, formatLine, parseLogFilter, type LogFilter } from "../../src/log.ts";

test("filters parse levels and per-module overrides", () => {
  const f = parseLogFilter("warn,raft=debug") as LogFilter;
  expect(f.defaultLevel).toBe("warn");
  expect(f.modules.get("raft")).toBe("debug");
  expect(parseLogFilter("noisy")).toContain("unknown log level");
});

test("one line per event with time, level, module, message and fields", () => {
  const line = formatLine("info", "grpc", "connected", { id: "1_2", note: "two words" }, new Date(0));
  expect(line).toBe('1970-01-01T00:00:00.000Z INFO  grpc: connected id=1_2 note="two words"');
});

test("levels below the module's limit are dropped", () => {
  const lines: string[] = [];
  const root = createLogger(parseLogFilter("warn,raft=debug") as LogFilter, "rnacos", (l) => lines.push(l));
  root.info("dropped");
  root.warn("kept");
  const raft = root.child("raft");
  raft.debug("kept too");
  raft.trace("dropped");
  expect(lines.map((l) => l.split(": ")[1])).toEqual(["kept", "kept too"]);
});
