// What domains see of replication: propose a typed command, get its result once applied here.
export interface Proposer {
  /**
   * Replicates the command and resolves with its handler's result after this node applied it
   * (a write through a follower is forwarded to the leader; the result comes back here).
   * Rejects with the DomainError the handler threw, or "unavailable" without a quorum.
   */
  propose<R>(type: string, payload: unknown): Promise<R>;
  /** Linearizable read: resolves once this node applied everything committed before the call. */
  readBarrier(): Promise<void>;
}
