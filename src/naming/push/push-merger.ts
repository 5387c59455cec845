// Merges changes to one service: the first change opens a window, later ones inside it add
// nothing, and when the window closes the service is pushed once with its state at that moment.
// A deploy that restarts fifty instances thus costs each subscriber a few pushes, not fifty.
import type { Timers } from "../timers.ts";

export class PushMerger {
  private readonly pending = new Map<string, unknown>();
  private mergedChanges = 0;

  constructor(
    private readonly timers: Timers,
    private readonly windowMs: number,
    private readonly flush: (serviceId: string) => void,
  ) {}

  changed(serviceId: string): void {
    if (this.pending.has(serviceId)) {
      this.mergedChanges++;
      return;
    }
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(serviceId);
      this.flush(serviceId);
    }, this.windowMs);
    this.pending.set(serviceId, handle);
  }

  /** Changes absorbed into an already open window since start. */
  get merged(): number {
    return this.mergedChanges;
  }

  get pendingServices(): number {
    return this.pending.size;
  }

  stop(): void {
    for (const handle of this.pending.values()) this.timers.clearTimeout(handle);
    this.pending.clear();
  }
}
