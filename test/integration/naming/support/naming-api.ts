// Plain-HTTP access to a running server's naming API, for tests that need exact requests.
import type { ServerProcess } from "../../../helpers/server.ts";

export interface Host {
  ip: string;
  port: number;
  healthy: boolean;
  enabled: boolean;
  weight: number;
  ephemeral: boolean;
  clusterName: string;
  metadata: Record<string, string>;
}

export interface ServiceInfo {
  name: string;
  groupName: string;
  clusters: string;
  hosts: Host[];
  reachProtectionThreshold: boolean;
  checksum: string;
  lastRefTime: number;
  cacheMillis: number;
}

export function namingApi(server: ServerProcess) {
  const url = (path: string, params: Record<string, string | number | boolean> = {}) => {
    const u = new URL(`${server.url}/nacos${path}`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
    return u.toString();
  };
  const call = async (method: string, path: string, params: Record<string, string | number | boolean> = {}) => {
    const res = await fetch(url(path, params), { method });
    return { status: res.status, text: await res.text(), type: res.headers.get("content-type") ?? "" };
  };
  return {
    url,
    call,
    /** POST /v1/ns/instance; throws unless "ok". */
    async register(params: Record<string, string | number | boolean>) {
      const r = await call("POST", "/v1/ns/instance", params);
      if (r.status !== 200 || r.text !== "ok") throw new Error(`register answered ${r.status} ${r.text}`);
    },
    async beat(params: Record<string, string | number | boolean>) {
      const r = await call("PUT", "/v1/ns/instance/beat", params);
      if (r.status !== 200) throw new Error(`beat answered ${r.status} ${r.text}`);
      return JSON.parse(r.text) as { code: number; clientBeatInterval: number; lightBeatEnabled: boolean };
    },
    async list(params: Record<string, string | number | boolean>): Promise<ServiceInfo> {
      const r = await call("GET", "/v1/ns/instance/list", params);
      if (r.status !== 200) throw new Error(`list answered ${r.status} ${r.text}`);
      return JSON.parse(r.text) as ServiceInfo;
    },
    async metrics(): Promise<Record<string, any>> {
      return JSON.parse((await call("GET", "/v1/ns/operator/metrics")).text) as Record<string, any>;
    },
  };
}

/** Metadata that shortens an instance's heartbeat timing (milliseconds). */
export function shortBeats(intervalMs: number, unhealthyMs: number, removeMs: number): string {
  return JSON.stringify({
    "preserved.heart.beat.interval": String(intervalMs),
    "preserved.heart.beat.timeout": String(unhealthyMs),
    "preserved.ip.delete.timeout": String(removeMs),
  });
}
