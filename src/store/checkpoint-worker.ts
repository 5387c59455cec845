// Runs in its own thread: moves WAL frames into the database file (PASSIVE checkpoints, which never
// block the writer) so the event loop never stalls on a checkpoint's copy and fsyncs.
import { Database } from "bun:sqlite";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ path: string; intervalMs: number }>) => {
  const { path, intervalMs } = event.data;
  const db = new Database(path);
  db.run("PRAGMA busy_timeout = 1000");
  setInterval(() => {
    try {
      db.run("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // busy: the next round catches up
    }
  }, intervalMs);
  postMessage("started");
};
