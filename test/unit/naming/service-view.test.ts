import { describe, expect, test } from "bun:test";
import { parseClusters, selectInstances } from "../../../src/naming/view/select-instances.ts";
import { serviceView } from "../../../src/naming/view/service-info.ts";
import { NamingRegistry } from "../../../src/naming/registry/naming-registry.ts";
import { BEAT_OWNER } from "../../../src/naming/registry/instance-owner.ts";
import { inst, SVC, TIMING } from "./support/fixtures.ts";

const all = { clusters: new Set<string>(), healthyOnly: false, enabledOnly: true };

describe("protect threshold", () => {
  const three = (healthy: number) => [0, 1, 2].map((i) => inst(`10.0.0.${i + 1}`, 8080, { healthy: i < healthy }));

  test("above the threshold, healthyOnly returns the healthy ones", () => {
    const s = selectInstances(three(2), { ...all, healthyOnly: true }, 0.5);
    expect(s.reachProtectionThreshold).toBe(false);
    expect(s.hosts.map((h) => h.ip)).toEqual(["10.0.0.1", "10.0.0.2"]);
  });

  test("below it, all instances come back marked healthy, healthyOnly or not", () => {
    for (const healthyOnly of [false, true]) {
      const s = selectInstances(three(1), { ...all, healthyOnly }, 0.5);
      expect(s.reachProtectionThreshold).toBe(true);
      expect(s.hosts).toHaveLength(3);
      expect(s.hosts.every((h) => h.healthy)).toBe(true);
    }
  });

  test("the share must fall below the threshold: 0 turns protection off, exactly at it does not protect", () => {
    expect(selectInstances(three(0), { ...all, healthyOnly: true }, 0).hosts).toHaveLength(0);
    expect(selectInstances(three(0), all, 0).hosts.every((h) => !h.healthy)).toBe(true);
    expect(selectInstances([inst("10.0.0.1"), inst("10.0.0.2", 8080, { healthy: false })], all, 0.5).reachProtectionThreshold).toBe(false);
  });

  test("clusters filter and disabled instances are left out before the share is computed", () => {
    const list = [inst("10.0.0.1", 1, { clusterName: "A" }), inst("10.0.0.2", 1, { clusterName: "B", healthy: false }), inst("10.0.0.3", 1, { enabled: false })];
    expect(selectInstances(list, { ...all, clusters: parseClusters("A, B") }, 0).hosts.map((h) => h.ip)).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(selectInstances(list, { ...all, clusters: parseClusters("B"), healthyOnly: true }, 0.9).reachProtectionThreshold).toBe(true);
  });
});

describe("ServiceInfo", () => {
  test("v1 names the service group@@name, gRPC the plain name; hosts carry Nacos's fields", () => {
    const r = new NamingRegistry();
    r.upsert(SVC, inst("10.0.0.1", 8080, { metadata: { "preserved.heart.beat.interval": "1000" } }), BEAT_OWNER, 1);
    const v1 = serviceView(r.get(SVC), SVC, { clusters: "", healthyOnly: false, groupedName: true }, TIMING, 7).info;
    expect(v1).toMatchObject({ name: "DEFAULT_GROUP@@orders", groupName: "DEFAULT_GROUP", clusters: "", cacheMillis: 10000, lastRefTime: 7, reachProtectionThreshold: false, valid: true });
    expect(v1.checksum).toMatch(/^[0-9a-f]{32}$/);
    expect(v1.hosts[0]).toMatchObject({ serviceName: "DEFAULT_GROUP@@orders", instanceHeartBeatInterval: 1000, instanceHeartBeatTimeOut: 15000, ipDeleteTimeout: 30000, instanceIdGenerator: "simple" });
    expect(serviceView(r.get(SVC), SVC, { clusters: "", healthyOnly: false, groupedName: false }, TIMING, 7).info.name).toBe("orders");
  });

  test("a view is built once per revision and query; a change rebuilds it", async () => {
    const r = new NamingRegistry();
    r.upsert(SVC, inst("10.0.0.1"), BEAT_OWNER, 1);
    const q = { clusters: "", healthyOnly: false, groupedName: true };
    const first = serviceView(r.get(SVC), SVC, q, TIMING, 1);
    expect(serviceView(r.get(SVC), SVC, q, TIMING, 2)).toBe(first);
    r.upsert(SVC, inst("10.0.0.2"), BEAT_OWNER, 3);
    const second = serviceView(r.get(SVC), SVC, q, TIMING, 4);
    expect(second).not.toBe(first);
    expect(second.info.hosts).toHaveLength(2);
    expect(second.info.checksum).not.toBe(first.info.checksum);
    expect(JSON.parse(await second.body.text())).toEqual(JSON.parse(second.json));
    expect(second.body.type).toBe("application/json;charset=utf-8");
  });

  test("an unknown service is an empty, valid list", () => {
    expect(serviceView(undefined, SVC, { clusters: "X", healthyOnly: true, groupedName: true }, TIMING, 1).info).toMatchObject({ hosts: [], clusters: "X", name: "DEFAULT_GROUP@@orders" });
  });
});
