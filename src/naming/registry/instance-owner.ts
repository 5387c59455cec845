// Who keeps an instance alive, which decides how it dies:
//   beat        an HTTP 1.x client's heartbeats; it expires when they stop (BeatChecker)
//   connection  a gRPC client's connection; it goes when the connection closes
//   persistent  Raft; it stays until deregistered, its health set by server probes
export type InstanceOwner =
  | { readonly kind: "beat" }
  | { readonly kind: "connection"; readonly connectionId: string }
  | { readonly kind: "persistent" };

export const BEAT_OWNER: InstanceOwner = Object.freeze({ kind: "beat" });
export const PERSISTENT_OWNER: InstanceOwner = Object.freeze({ kind: "persistent" });

export function connectionOwner(connectionId: string): InstanceOwner {
  return { kind: "connection", connectionId };
}

export function sameOwner(a: InstanceOwner, b: InstanceOwner): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== "connection" || a.connectionId === (b as { connectionId: string }).connectionId;
}
