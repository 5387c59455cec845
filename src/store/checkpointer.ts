// Checkpoints in a worker thread instead of on commit: SQLite's automatic checkpoint runs inside
// the committing call, on the event loop, with two fsyncs; under write load that is most commits.
import type { Database } from "bun:sqlite";

/** In `dist/rnacos` the worker is an extra entry point of the build (see build.ts), named from src/. */
function workerSpecifier(): string {
  return import.meta.url.includes("/$bunfs/") ? "./store/checkpoint-worker.ts" : new URL("./checkpoint-worker.ts", import.meta.url).href;
}

export interface Checkpointer {
  /** The writer reports what it wrote; every CHECKPOINT_EVERY_WRITES the worker is asked to run. */
  wrote(writes: number): void;
  stop(): void;
}

const CHECKPOINT_EVERY_WRITES = 2000;
const FLOOR_MS = 1000;

/**
 * Starts background checkpoints for the database at `path` and turns the connection's automatic
 * ones off; they come back if the worker cannot run.
 */
export interface CheckpointerEvents {
  started(): void;
  fellBack(reason: string): void;
}

export function startCheckpointer(db: Database, path: string, events: CheckpointerEvents): Checkpointer {
  let worker: Worker | undefined;
  try {
    worker = new Worker(workerSpecifier());
  } catch (err) {
    events.fellBack((err as Error).message);
    return { wrote() {}, stop() {} };
  }
  const fallBack = (e: ErrorEvent) => {
    worker = undefined;
    db.run("PRAGMA wal_autocheckpoint = 1000");
    events.fellBack(e.message);
  };
  worker.onerror = fallBack;
  worker.onmessage = (e) => {
    if (e.data === "started") events.started();
  };
  db.run("PRAGMA wal_autocheckpoint = 4000");
  worker.postMessage({ path, floorMs: FLOOR_MS });
  let pending = 0;
  return {
    wrote(writes) {
      pending += writes;
      if (pending < CHECKPOINT_EVERY_WRITES || !worker) return;
      pending = 0;
      worker.postMessage("checkpoint");
    },
    stop() {
      worker?.terminate();
      worker = undefined;
    },
  };
}
