// The send side of a bidi stream: messages leave in order, a write that HTTP/2 flow control does not take
// at once parks the rest until "drain", and the bytes parked count against the connection's budget.
import type { Call } from "./call.ts";
import { BufferFullError, frameOf, StreamClosedError, type CallContext, type MessageCodec, type ServerStream } from "./method.ts";
import { GrpcStatus, type GrpcStatusCode } from "./status.ts";

export class SendQueue<Res> implements ServerStream<Res> {
  private readonly queue: { frame: Uint8Array; resolve: () => void; reject: (err: Error) => void }[] = [];
  private waitingForDrain = false;
  private closedFlag = false;
  private pendingEnd: { code: GrpcStatusCode; message: string | undefined } | undefined;
  private queued = 0;

  constructor(
    private readonly owner: Call,
    private readonly codec: MessageCodec<Res>,
    private readonly options: { maxConnectionBufferBytes: number },
  ) {}

  get call(): CallContext {
    return this.owner.context;
  }

  get closed(): boolean {
    return this.closedFlag || this.owner.isFinished || this.owner.stream.destroyed;
  }

  get queuedBytes(): number {
    return this.queued;
  }

  send(message: Res): Promise<void> {
    if (this.closed || this.pendingEnd) return Promise.reject(new StreamClosedError());
    const frame = frameOf(this.codec, message);
    const state = this.owner.state;
    if (state.queuedOut + frame.length > this.options.maxConnectionBufferBytes && this.queue.length > 0) {
      return Promise.reject(
        new BufferFullError(`send buffer of connection ${state.info.id} is full (${state.queuedOut} bytes queued, limit ${this.options.maxConnectionBufferBytes})`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.queued += frame.length;
      state.queuedOut += frame.length;
      this.flush();
    });
  }

  end(code: GrpcStatusCode = GrpcStatus.OK, message?: string): void {
    if (this.closed || this.pendingEnd) return;
    this.pendingEnd = { code, message };
    this.flush();
  }

  markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const item of this.queue.splice(0)) {
      this.release(item.frame.length);
      item.reject(new StreamClosedError());
    }
  }

  private release(bytes: number): void {
    this.queued -= bytes;
    this.owner.state.queuedOut -= bytes;
  }

  private flush(): void {
    const stream = this.owner.stream;
    while (!this.waitingForDrain && this.queue.length > 0) {
      if (this.closed) return this.markClosed();
      const item = this.queue.shift()!;
      this.release(item.frame.length);
      let accepted: boolean;
      try {
        accepted = stream.write(item.frame);
      } catch (err) {
        item.reject(new StreamClosedError(`write failed: ${(err as Error).message}`));
        this.markClosed();
        return;
      }
      item.resolve();
      if (!accepted) {
        this.waitingForDrain = true;
        stream.once("drain", () => {
          this.waitingForDrain = false;
          this.flush();
        });
      }
    }
    if (this.queue.length === 0 && this.pendingEnd && !this.waitingForDrain) {
      const { code, message } = this.pendingEnd;
      this.owner.end(code, message);
    }
  }
}
