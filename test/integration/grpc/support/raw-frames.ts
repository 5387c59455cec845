// HTTP/2 spoken frame by frame over a plain TCP socket, for a client that does what node:http2 would
// never let it do (e.g. open more streams than the server allows). HPACK is kept to literal header
// fields without indexing, so no table state is needed on either side.
import net from "node:net";

export const FrameType = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8 } as const;
export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const;
export const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
export const REFUSED_STREAM = 0x7;

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** A header block of literal fields without indexing, new names (RFC 7541 6.2.2); names and values < 128 bytes. */
export function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    parts.push(Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value));
  }
  return Buffer.concat(parts);
}

export class RawH2Connection {
  readonly frames: Frame[] = [];
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  /** Connects, sends the preface and empty SETTINGS, and ACKs the server's SETTINGS once they arrive. */
  static async open(port: number): Promise<RawH2Connection> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const c = new RawH2Connection(socket);
    c.send(PREFACE, frame(FrameType.SETTINGS, 0, 0));
    const settings = await c.waitFor("server SETTINGS", (f) => f.type === FrameType.SETTINGS && !(f.flags & Flag.ACK));
    c.send(frame(FrameType.SETTINGS, Flag.ACK, 0));
    void settings;
    return c;
  }

  send(...bytes: Buffer[]): void {
    this.socket.write(Buffer.concat(bytes));
  }

  /** The value of a setting in the server's first SETTINGS frame, if it sent it. */
  serverSetting(id: number): number | undefined {
    const settings = this.frames.find((f) => f.type === FrameType.SETTINGS && !(f.flags & Flag.ACK));
    for (let at = 0; settings && at + 6 <= settings.payload.length; at += 6) {
      if (settings.payload.readUInt16BE(at) === id) return settings.payload.readUInt32BE(at + 2);
    }
    return undefined;
  }

  /** The first frame (seen or future) matching `match`. */
  async waitFor(what: string, match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 9) {
      const length = this.buffer.readUIntBE(0, 3);
      if (this.buffer.length < 9 + length) break;
      this.frames.push({
        type: this.buffer[3]!,
        flags: this.buffer[4]!,
        streamId: this.buffer.readUInt32BE(5) & 0x7fffffff,
        payload: Buffer.from(this.buffer.subarray(9, 9 + length)),
      });
      this.buffer = this.buffer.subarray(9 + length);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
