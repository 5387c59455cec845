import { describe, expect, test } from "bun:test";
import { DomainError } from "../../../src/errors.ts";
import { buildInstance, checkTiming } from "../../../src/naming/instance-input.ts";
import { splitGroupedName } from "../../../src/naming/model/names.ts";
import { checkGroup, checkIp, checkMetadata, checkNamespace, checkPort, checkServiceName, checkWeight, parseMetadata } from "../../../src/naming/validation.ts";
import { SVC, TIMING } from "./support/fixtures.ts";

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("ip", () => {
  test.each(["10.0.0.1", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "orders.svc.cluster.local", "localhost", "host-1"])("accepts %s", (ip) => {
    expect(checkIp(ip)).toBe(ip);
  });
  test.each(["", "10.0.0.256", "1.2.3", "bad host", "-lead.example", "exa_mple.com", "x".repeat(129), "主机"])("refuses %p", (ip) => {
    const e = refusal(() => checkIp(ip));
    expect(e.kind).toBe("invalid");
    expect(e.httpStatus).toBe(400);
    expect(e.message).toContain("'ip'");
  });
});

describe("port and weight", () => {
  test("ports 1-65535, numbers or digit strings", () => {
    expect(checkPort(1)).toBe(1);
    expect(checkPort("65535")).toBe(65535);
    for (const bad of [0, 65536, -1, 1.5, "80a", "", null]) expect(refusal(() => checkPort(bad)).message).toContain("1-65535");
  });
  test("weights 0-10000", () => {
    expect(checkWeight(0)).toBe(0);
    expect(checkWeight("10000")).toBe(10000);
    expect(checkWeight("0.5")).toBe(0.5);
    for (const bad of [-0.1, 10000.5, "heavy", Number.NaN]) expect(refusal(() => checkWeight(bad)).nacosCode).toBe(21001);
  });
});

describe("names", () => {
  test("service names within Nacos's limits", () => {
    expect(checkServiceName("orders-v2.api:8080")).toBe("orders-v2.api:8080");
    for (const bad of ["", "  ", "@orders", "a@@b", "has space", "服务", "x".repeat(513)]) {
      expect(refusal(() => checkServiceName(bad)).nacosCode).toBe(21000);
    }
  });
  test("groups and namespaces", () => {
    expect(checkGroup("DEFAULT_GROUP")).toBe("DEFAULT_GROUP");
    expect(() => checkGroup("bad group")).toThrow(DomainError);
    expect(() => checkGroup("g".repeat(129))).toThrow(DomainError);
    expect(checkNamespace("dev-01")).toBe("dev-01");
    expect(refusal(() => checkNamespace("a/b")).nacosCode).toBe(22000);
  });
  test("grouped names split on the first @@; a plain name takes the group given", () => {
    expect(splitGroupedName("G@@orders")).toEqual({ group: "G", name: "orders" });
    expect(splitGroupedName("orders", "G2")).toEqual({ group: "G2", name: "orders" });
    expect(splitGroupedName("orders")).toEqual({ group: "DEFAULT_GROUP", name: "orders" });
  });
});

describe("metadata", () => {
  test("JSON objects and k=v lists; numbers become strings", () => {
    expect(parseMetadata('{"a":"1","b":2,"c":true}')).toEqual({ a: "1", b: "2", c: "true" });
    expect(parseMetadata("a=1,b=2")).toEqual({ a: "1", b: "2" });
    expect(parseMetadata("")).toEqual({});
  });
  test("malformed, nested or oversized metadata is refused with 21002", () => {
    expect(refusal(() => parseMetadata("a=1,b")).nacosCode).toBe(21002);
    expect(refusal(() => checkMetadata({ a: { b: 1 } })).message).toContain("must be a string");
    expect(refusal(() => checkMetadata(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, "v"])))).message).toContain("entries");
    expect(refusal(() => checkMetadata({ big: "x".repeat(20_000) })).message).toContain("as JSON");
  });
});

describe("instances", () => {
  test("defaults as in Nacos: weight 1, healthy, enabled, ephemeral, DEFAULT cluster, generated id", () => {
    expect(buildInstance(SVC, { ip: "10.0.0.1", port: "80" })).toEqual({
      instanceId: "10.0.0.1#80#DEFAULT#DEFAULT_GROUP@@orders",
      ip: "10.0.0.1",
      port: 80,
      weight: 1,
      healthy: true,
      enabled: true,
      ephemeral: true,
      clusterName: "DEFAULT",
      metadata: {},
    });
  });
  test("missing ip or port names the parameter", () => {
    expect(refusal(() => buildInstance(SVC, { ip: "", port: 80 })).message).toBe("Param 'ip' is required.");
    expect(refusal(() => buildInstance(SVC, { ip: "10.0.0.1", port: undefined })).message).toBe("Param 'port' is required.");
    expect(refusal(() => buildInstance(SVC, { ip: "10.0.0.1", port: 80, clusterName: "bad cluster" })).message).toContain("'clusterName'");
  });
  test("heartbeat interval must be shorter than both timeouts", () => {
    const ok = buildInstance(SVC, { ip: "10.0.0.1", port: 80, metadata: { "preserved.heart.beat.interval": "1000", "preserved.heart.beat.timeout": "3000", "preserved.ip.delete.timeout": "6000" } });
    expect(checkTiming(ok, TIMING)).toEqual({ intervalMs: 1000, unhealthyAfterMs: 3000, removeAfterMs: 6000 });
    const bad = buildInstance(SVC, { ip: "10.0.0.1", port: 80, metadata: { "preserved.heart.beat.interval": "20000" } });
    expect(refusal(() => checkTiming(bad, TIMING)).message).toContain("heart beat interval");
  });
});
