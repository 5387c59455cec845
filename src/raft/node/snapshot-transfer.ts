// Snapshots between nodes: the leader copies its state database and streams it to a follower that
// needs entries it has compacted away; the follower keeps received files until the core asks to
// install one, then replaces its replicated tables (durably) and then resets its log to the snapshot.
import type { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import type { Logger } from "../../log.ts";
import type { Message, NodeId, SnapshotMeta } from "../core/types.ts";
import type { StateMachine } from "../state-machine.ts";
import type { SqliteRaftLog } from "./sqlite-raft-log.ts";
import { copyReplicatedTables, newSnapshotPath, readSnapshotPosition, withAttachedSnapshot, writeSnapshot } from "./snapshot-files.ts";
import type { RaftTransport } from "./transport.ts";

export interface SnapshotTransferDeps {
  dataDir: string;
  /** The state database (rnacos.db). */
  db: Database;
  /** The Raft log's database (raft.db). */
  raftDb: Database;
  stateMachine: StateMachine;
  raftLog: SqliteRaftLog;
  transport: RaftTransport;
  log: Logger;
  /** The core's reportSnapshot: the transfer to `to` finished (ok) or failed. */
  report(to: NodeId, ok: boolean): void;
}

export class SnapshotTransfer {
  private readonly received = new Map<number, string>();
  private readonly sending = new Set<NodeId>();

  constructor(private readonly deps: SnapshotTransferDeps) {}

  /**
   * Copies the database now (before this Ready applies anything, so it is at the index the core
   * described) and streams it; one transfer per follower at a time.
   */
  send(m: Message): void {
    const { log, report } = this.deps;
    const to = m.to;
    if (this.sending.has(to) || !m.snapshot) {
      report(to, false);
      return;
    }
    const meta = m.snapshot;
    const file = newSnapshotPath(this.deps.dataDir, `send-${to}`);
    try {
      this.deps.stateMachine.flush();
      writeSnapshot(this.deps.db, file);
      const pos = readSnapshotPosition(file);
      if (pos.index !== meta.index) throw new Error(`snapshot file is at ${pos.index}, message says ${meta.index}`);
    } catch (err) {
      rmSync(file, { force: true });
      log.error("cannot write a snapshot", { to, error: err });
      report(to, false);
      return;
    }
    this.sending.add(to);
    const started = performance.now();
    log.info("sending snapshot", { to, index: meta.index });
    this.deps.transport
      .sendSnapshot(m, file)
      .then(
        () => {
          log.info("snapshot sent", { to, index: meta.index, ms: Math.round(performance.now() - started) });
          report(to, true);
        },
        (err: Error) => {
          log.warn("snapshot send failed", { to, error: err.message });
          report(to, false);
        },
      )
      .finally(() => {
        this.sending.delete(to);
        rmSync(file, { force: true });
      });
  }

  /** Keeps a fully received file for its message; false (file deleted) when its content does not match. */
  accept(message: Message, file: string): boolean {
    const pos = readSnapshotPosition(file);
    if (!message.snapshot || pos.index !== message.snapshot.index) {
      this.deps.log.warn("received a snapshot whose content does not match its index; dropped", { from: message.from });
      rmSync(file, { force: true });
      return false;
    }
    const previous = this.received.get(pos.index);
    if (previous && previous !== file) rmSync(previous, { force: true });
    this.received.set(pos.index, file);
    return true;
  }

  /** Installs the received snapshot the core accepted (Ready.snapshot). A failure here is fatal. */
  install(meta: SnapshotMeta): void {
    const { db, raftDb, stateMachine, raftLog, log } = this.deps;
    const file = this.received.get(meta.index);
    if (!file) throw new Error(`no snapshot file received for index ${meta.index}`);
    this.received.delete(meta.index);
    const started = performance.now();
    try {
      // The state first, durably: a crash before the log is reset leaves the state ahead of the log,
      // which the next start resolves by taking the state as the snapshot (SqliteRaftLog).
      stateMachine.flush();
      withAttachedSnapshot(db, file, () => {
        stateMachine.write(() => copyReplicatedTables(db, stateMachine.replicatedTables()));
        stateMachine.flush(true);
      });
      raftDb.transaction(() => raftLog.applySnapshot(meta)).immediate();
    } catch (err) {
      log.error("cannot install the snapshot; stopping the process", { error: err });
      process.exit(1);
    } finally {
      rmSync(file, { force: true });
    }
    stateMachine.restored();
    raftLog.setApplied(stateMachine.applied);
    log.info("installed snapshot", { index: meta.index, term: meta.term, ms: Math.round(performance.now() - started) });
  }
}
