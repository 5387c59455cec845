// Checkpoints in a worker thread instead of on commit: SQLite's automatic checkpoint runs inside
// the committing call, on the event loop, with two fsyncs; under write load that is most commits.
// The worker starts with the first burst of writes, so an idle node has no extra thread.
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

export interface CheckpointerEvents {
  started(): void;
  fellBack(reason: string): void;
}

const CHECKPOINT_EVERY_WRITES = 2000;
const FLOOR_MS = 1000;

/**
 * Background checkpoints for the databases (each a connection and its path), all in one worker.
 * Until the worker runs (and if it cannot), each connection checkpoints on commit as SQLite does by default.
 */
export function startCheckpointer(databases: { db: Database; path: string }[], events: CheckpointerEvents): Checkpointer {
  let worker: Worker | undefined;
  let failed = false;
  let pending = 0;
  const fallBack = (reason: string) => {
    failed = true;
    worker?.terminate();
    worker = undefined;
    for (const { db } of databases) db.run("PRAGMA wal_autocheckpoint = 1000");
    events.fellBack(reason);
  };
  const start = (): Worker | undefined => {
    try {
      const w = new Worker(workerSpecifier());
      w.onerror = (e) => fallBack(e.message);
      w.onmessage = (e) => {
        if (e.data === "started") events.started();
      };
      w.postMessage({ paths: databases.map((d) => d.path), floorMs: FLOOR_MS });
      // The worker keeps the WAL small; this stays as a backstop that finds most frames already copied.
      for (const { db } of databases) db.run("PRAGMA wal_autocheckpoint = 4000");
      return w;
    } catch (err) {
      fallBack((err as Error).message);
      return undefined;
    }
  };
  return {
    wrote(writes) {
      pending += writes;
      if (pending < CHECKPOINT_EVERY_WRITES || failed) return;
      pending = 0;
      worker ??= start();
      worker?.postMessage("checkpoint");
    },
    stop() {
      worker?.terminate();
      worker = undefined;
    },
  };
}
