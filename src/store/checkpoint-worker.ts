// Runs in its own thread: moves WAL frames into the database file (PASSIVE checkpoints, which never
// block the writer) so the event loop never stalls on a checkpoint's copy and fsyncs. It runs when
// the main thread says enough has been written, and at least every `floorMs`; checkpointing more
// often than that only competes with the writer's own fsyncs.
import { Database } from "bun:sqlite";

declare const self: Worker;

let dbs: Database[] = [];

function checkpoint(): void {
  for (const db of dbs) {
    try {
      db.run("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // busy: the next round catches up
    }
  }
}

self.onmessage = (event: MessageEvent<{ paths: string[]; floorMs: number } | "checkpoint">) => {
  if (event.data === "checkpoint") {
    checkpoint();
    return;
  }
  dbs = event.data.paths.map((path) => new Database(path));
  for (const db of dbs) db.run("PRAGMA busy_timeout = 1000");
  setInterval(checkpoint, event.data.floorMs);
  postMessage("started");
};
