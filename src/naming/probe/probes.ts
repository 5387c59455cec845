// The checks a persistent instance gets from the server (Nacos TcpHealthCheckProcessor and
// HttpHealthCheckProcessor): a TCP connect, or an HTTP GET expecting a status. Each answers
// healthy or not within a timeout and never throws.
import type { HealthChecker } from "../model/service-definition.ts";

export interface ProbeTarget {
  ip: string;
  port: number;
  checker: HealthChecker;
}

export type Probe = (target: ProbeTarget, timeoutMs: number) => Promise<boolean>;

export const probeTarget: Probe = (target, timeoutMs) =>
  target.checker.type === "HTTP" ? httpProbe(target, timeoutMs) : tcpProbe(target.ip, target.port, timeoutMs);

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (healthy: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(healthy);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    Bun.connect({ hostname: host, port, socket: { data() {}, error() {} } }).then(
      (socket) => {
        socket.end();
        finish(true);
      },
      () => finish(false),
    );
  });
}

export async function httpProbe(target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const host = target.ip.includes(":") ? `[${target.ip}]` : target.ip;
  const path = target.checker.path?.startsWith("/") ? target.checker.path : `/${target.checker.path ?? ""}`;
  const headers: Record<string, string> = {};
  for (const pair of (target.checker.headers ?? "").split("|")) {
    const at = pair.indexOf(":");
    if (at > 0) headers[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  try {
    const res = await fetch(`http://${host}:${target.port}${path}`, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === (target.checker.expectedResponseCode ?? 200);
  } catch {
    return false;
  }
}
