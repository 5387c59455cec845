// Wire shapes of service definitions shared by the v1, v2 and catalog routes, and the parsing of
// the selector and healthChecker parameters.
import type { HealthChecker, Selector } from "../../naming/model/service-definition.ts";
import { defaultClusterDefinition } from "../../naming/model/service-definition.ts";
import { badParam, NamingCode } from "../../naming/naming-errors.ts";
import { groupedName } from "../../naming/model/names.ts";
import type { ServiceEntry } from "../../naming/registry/service-entry.ts";
import { checkProtectThreshold, parseMetadata } from "../../naming/validation.ts";
import type { ServiceDefinitionInput } from "../../naming/naming-service.ts";
import type { Params } from "./naming-http.ts";

/** Nacos writes NoneSelector as {"type":"none","contextType":"NONE"}. */
export function selectorJson(s: Selector): Record<string, unknown> {
  return s.type === "label" ? { type: "label", expression: s.expression ?? "", contextType: "CMDB" } : { type: "none", contextType: "NONE" };
}

export function healthCheckerJson(h: HealthChecker): Record<string, unknown> {
  if (h.type === "HTTP") return { type: "HTTP", path: h.path ?? "", headers: h.headers ?? "", expectedResponseCode: h.expectedResponseCode ?? 200 };
  return { type: h.type };
}

/** Clusters of a service: those with instances plus those with a definition. */
export function clusterNames(entry: ServiceEntry): string[] {
  return [...new Set([...entry.clusterNames(), ...Object.keys(entry.definition.clusters)])].sort();
}

/** v1 GET /ns/service. */
export function serviceDetailV1(entry: ServiceEntry): Record<string, unknown> {
  const d = entry.definition;
  return {
    namespaceId: entry.key.namespace,
    groupName: entry.key.group,
    name: entry.key.name,
    protectThreshold: d.protectThreshold,
    metadata: d.metadata,
    selector: selectorJson(d.selector),
    clusters: clusterNames(entry).map((name) => {
      const c = d.clusters[name] ?? defaultClusterDefinition();
      return { name, healthChecker: healthCheckerJson(c.healthChecker), metadata: c.metadata };
    }),
  };
}

/** v2 GET /ns/service (naming ServiceDetailInfo). */
export function serviceDetailV2(entry: ServiceEntry): Record<string, unknown> {
  const d = entry.definition;
  const clusterMap: Record<string, unknown> = {};
  for (const name of clusterNames(entry)) {
    const c = d.clusters[name] ?? defaultClusterDefinition();
    clusterMap[name] = {
      clusterName: name,
      healthChecker: healthCheckerJson(c.healthChecker),
      metadata: c.metadata,
      useInstancePortForCheck: c.useInstancePort4Check,
      healthyCheckPort: c.checkPort,
    };
  }
  return {
    namespaceId: entry.key.namespace,
    groupName: entry.key.group,
    serviceName: entry.key.name,
    clusterMap,
    metadata: d.metadata,
    protectThreshold: d.protectThreshold,
    selector: selectorJson(d.selector),
    ephemeral: !entry.defined && [...entry.instances.values()].every((r) => r.instance.ephemeral),
  };
}

/** The console's catalog detail (Nacos ServiceUtil.transferToConsoleResult). */
export function serviceDetailConsole(entry: ServiceEntry): Record<string, unknown> {
  const d = entry.definition;
  return {
    service: {
      name: entry.key.name,
      groupName: entry.key.group,
      protectThreshold: d.protectThreshold,
      selector: selectorJson(d.selector),
      metadata: d.metadata,
    },
    clusters: clusterNames(entry).map((name) => {
      const c = d.clusters[name] ?? defaultClusterDefinition();
      return {
        name,
        healthChecker: healthCheckerJson(c.healthChecker),
        metadata: c.metadata,
        defaultPort: 80,
        useIPPort4Check: c.useInstancePort4Check,
        defaultCheckPort: c.checkPort,
        serviceName: groupedName(entry.key),
      };
    }),
  };
}

/** A row of the console's service list (Nacos ServiceView). */
export function serviceView(entry: ServiceEntry): Record<string, unknown> {
  const ipCount = entry.instances.size;
  const healthy = entry.healthyCount;
  return {
    name: entry.key.name,
    groupName: entry.key.group,
    clusterCount: entry.clusterNames().length,
    ipCount,
    healthyInstanceCount: healthy,
    triggerFlag: ipCount > 0 && healthy / ipCount < entry.definition.protectThreshold ? "true" : "false",
  };
}

/** protectThreshold, metadata and selector parameters; absent ones stay undefined. */
export function definitionInput(p: Params): ServiceDefinitionInput {
  return {
    protectThreshold: p.protectThreshold === undefined || p.protectThreshold.trim() === "" ? undefined : checkProtectThreshold(p.protectThreshold),
    metadata: p.metadata === undefined ? undefined : parseMetadata(p.metadata, NamingCode.SERVICE_METADATA_ERROR),
    selector: p.selector === undefined || p.selector.trim() === "" ? undefined : parseSelector(p.selector),
  };
}

export function parseSelector(raw: string): Selector {
  let value: unknown;
  try {
    value = JSON.parse(decodeURIComponent(raw));
  } catch {
    throw badParam(`Param 'selector' is not valid JSON`, NamingCode.SELECTOR_ERROR);
  }
  const type = (value as { type?: unknown })?.type;
  if (type === "none") return { type: "none" };
  if (type === "label") {
    const expression = (value as { expression?: unknown }).expression;
    return { type: "label", expression: typeof expression === "string" ? expression : "" };
  }
  throw badParam("not match any type of selector!", NamingCode.SELECTOR_ERROR);
}

export function parseHealthChecker(raw: string): HealthChecker {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw badParam("Param 'healthChecker' is not valid JSON");
  }
  const type = String(value?.type ?? "").toUpperCase();
  if (type === "TCP" || type === "NONE") return { type };
  if (type === "HTTP") {
    const code = value.expectedResponseCode === undefined ? 200 : Number(value.expectedResponseCode);
    if (!Number.isInteger(code) || code < 100 || code > 599) throw badParam("healthChecker.expectedResponseCode must be an HTTP status");
    return { type: "HTTP", path: String(value.path ?? "/"), headers: String(value.headers ?? ""), expectedResponseCode: code };
  }
  throw badParam(`healthChecker type ${JSON.stringify(value?.type)} is not supported (TCP, HTTP or NONE)`);
}

