// Makes the WAL durable without blocking the event loop: fdatasync on the WAL file runs in the
// thread pool while requests keep being parsed (they join the next batch). fsync is per file, so
// a descriptor of our own flushes what SQLite's connection wrote.
import { closeSync, existsSync, fdatasync, openSync } from "node:fs";

export class WalSync {
  private fd: number | undefined;

  constructor(private readonly walPath: string) {}

  sync(): Promise<void> {
    if (this.fd === undefined) {
      if (!existsSync(this.walPath)) return Promise.resolve();
      this.fd = openSync(this.walPath, "r");
    }
    const fd = this.fd;
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
