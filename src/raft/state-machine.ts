// The replicated state machine: domains register typed commands; the Raft driver applies committed
// entries in batches. One SQLite transaction covers a batch and the applied index, so a restart
// never re-applies and never skips. Each command runs inside a savepoint: a command that throws a
// DomainError (a failed CAS, a name taken) rolls back only its own writes, on every node alike.
import type { Database, Statement } from "bun:sqlite";
import { asDomainError, DomainError } from "../errors.ts";

export interface ApplyContext {
  index: number;
  term: number;
  /** Runs after the batch's transaction committed: update caches, notify listeners. */
  afterCommit(effect: () => void): void;
}

export interface CommandHandler<P, R> {
  /**
   * Applies the command inside the open transaction. Must be deterministic: everything that varies
   * (time, ids) travels in the payload, chosen by the proposer. Throw a DomainError to refuse.
   */
  apply(db: Database, payload: P, ctx: ApplyContext): R;
}

export interface Command<P = unknown> {
  type: string;
  payload: P;
}

/** Outcome of one entry: its command's result, or the DomainError it was refused with. */
export type ApplyOutcome = { ok: true; value: unknown } | { ok: false; error: DomainError };

export interface AppliedState {
  index: number;
  term: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: Command): Uint8Array {
  return encoder.encode(JSON.stringify([command.type, command.payload]));
}

export function decodeCommand(data: Uint8Array): Command {
  const [type, payload] = JSON.parse(decoder.decode(data)) as [string, unknown];
  return { type, payload };
}

export class StateMachine {
  private readonly handlers = new Map<string, CommandHandler<any, any>>();
  private readonly tables = new Set<string>(["sm_applied"]);
  private readonly restoreListeners: (() => void)[] = [];
  private readonly batchEndListeners: (() => void)[] = [];
  private appliedCache: AppliedState;
  // Prepared once: these run for every entry, and compiling them each time was measurable.
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackTo: Statement;
  private readonly recordApplied: Statement;

  constructor(readonly db: Database) {
    this.appliedCache = this.readApplied();
    this.savepoint = db.prepare("SAVEPOINT apply_entry");
    this.release = db.prepare("RELEASE apply_entry");
    this.rollbackTo = db.prepare("ROLLBACK TO apply_entry");
    this.recordApplied = db.prepare("UPDATE sm_applied SET applied_index = ?, applied_term = ? WHERE id = 1");
  }

  register<P, R>(type: string, handler: CommandHandler<P, R>): void {
    if (this.handlers.has(type)) throw new Error(`command ${type} is registered twice`);
    this.handlers.set(type, handler);
  }

  /** Tables whose rows are replicated state: a snapshot carries them, installing one replaces them. */
  registerTables(...names: string[]): void {
    for (const name of names) this.tables.add(name);
  }

  replicatedTables(): string[] {
    return [...this.tables];
  }

  /** Called after every applyBatch, whether its transaction committed or threw. */
  onBatchEnd(listener: () => void): void {
    this.batchEndListeners.push(listener);
  }

  /** Called after a snapshot replaced the replicated tables: rebuild caches from SQLite. */
  onRestore(listener: () => void): void {
    this.restoreListeners.push(listener);
  }

  get applied(): AppliedState {
    return this.appliedCache;
  }

  /**
   * Applies entries in one transaction, after `before` (the driver appends its log there so one
   * fsync covers both). Entries with no data (leader no-ops) or below the applied index are skipped.
   */
  applyBatch(entries: { index: number; term: number; data: Uint8Array | null }[], before?: () => void): Map<number, ApplyOutcome> {
    const outcomes = new Map<number, ApplyOutcome>();
    const effects: (() => void)[] = [];
    let last = this.appliedCache;
    try {
      this.db.transaction(() => {
        before?.();
        for (const entry of entries) {
          if (entry.index <= last.index) continue;
          if (entry.data !== null && entry.data.byteLength > 0) {
            outcomes.set(entry.index, this.applyOne(entry, effects));
          }
          last = { index: entry.index, term: entry.term };
        }
        if (last !== this.appliedCache) {
          this.recordApplied.run(last.index, last.term);
        }
      }).immediate();
    } finally {
      // Effects wait for the commit; these run even when the transaction threw.
      for (const listener of this.batchEndListeners) listener();
    }
    this.appliedCache = last;
    for (const effect of effects) effect();
    return outcomes;
  }

  private applyOne(entry: { index: number; term: number; data: Uint8Array | null }, effects: (() => void)[]): ApplyOutcome {
    let command: Command;
    try {
      command = decodeCommand(entry.data!);
    } catch {
      return { ok: false, error: new DomainError("internal", `entry ${entry.index} holds no readable command`) };
    }
    const handler = this.handlers.get(command.type);
    if (!handler) return { ok: false, error: new DomainError("internal", `no handler for command ${command.type}`) };
    const pending: (() => void)[] = [];
    const ctx: ApplyContext = { index: entry.index, term: entry.term, afterCommit: (fn) => pending.push(fn) };
    this.savepoint.run();
    try {
      const value = handler.apply(this.db, command.payload, ctx);
      this.release.run();
      effects.push(...pending);
      return { ok: true, value };
    } catch (err) {
      this.rollbackTo.run();
      this.release.run();
      return { ok: false, error: asDomainError(err) };
    }
  }

  /** Records a restored snapshot's position and tells the domains to reload. */
  restored(): void {
    this.appliedCache = this.readApplied();
    for (const listener of this.restoreListeners) listener();
  }

  private readApplied(): AppliedState {
    const row = this.db.query("SELECT applied_index AS i, applied_term AS t FROM sm_applied WHERE id = 1").get() as { i: number; t: number } | null;
    return row ? { index: row.i, term: row.t } : { index: 0, term: 0 };
  }
}
