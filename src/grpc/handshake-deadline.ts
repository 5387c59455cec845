// The window a new connection has to identify itself (Nacos ConnectionSetupRequest on the bi-stream, or a
// cluster peer's call). Without it, a connection that never sets up (or a bare TCP connection that never
// speaks HTTP/2) would hold a socket and a slot of maxConnections forever. A connection that is still
// busy with a call when the window ends is not cut: it is closed once its last call is answered.
export class HandshakeDeadline {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private expired = false;
  private settled = false;

  constructor(
    timeoutMs: number,
    private readonly busy: () => boolean,
    private readonly expire: () => void,
  ) {
    if (timeoutMs <= 0) {
      this.settled = true;
      return;
    }
    this.timer = setTimeout(() => {
      this.expired = true;
      this.callsDone();
    }, timeoutMs);
    this.timer.unref?.();
  }

  /** The connection identified itself, or closed: the deadline is off for good. */
  cancel(): void {
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A call finished; if the window ended meanwhile and nothing else is busy, close now. */
  callsDone(): void {
    if (this.settled || !this.expired || this.busy()) return;
    this.settled = true;
    this.expire();
  }
}
