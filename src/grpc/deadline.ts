// The grpc-timeout request header: at most 8 digits and a unit (H hours, M minutes, S seconds,
// m milliseconds, u microseconds, n nanoseconds), e.g. "100m" or "5S".
import { GrpcError, GrpcStatus } from "./status.ts";

const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/** Milliseconds allowed for the call, or undefined when the header is absent. Throws on a malformed value. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (!match) throw new GrpcError(GrpcStatus.INTERNAL, `malformed grpc-timeout header "${value}"`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** The header value a client sends for a timeout in milliseconds (used by tests and the cluster client). */
export function formatGrpcTimeout(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return whole < 100_000_000 ? `${whole}m` : `${Math.min(99_999_999, Math.ceil(whole / 1000))}S`;
}
