// Where this node is in its life: readiness probes, gRPC server checks and drains read it.

export type Phase = "starting" | "ready" | "draining";

export class NodeState {
  private current: Phase = "starting";
  readonly startedAt = Date.now();

  get phase(): Phase {
    return this.current;
  }

  get ready(): boolean {
    return this.current === "ready";
  }

  markReady(): void {
    if (this.current === "starting") this.current = "ready";
  }

  markDraining(): void {
    this.current = "draining";
  }
}
