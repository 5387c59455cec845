// gRPC length-prefixed messages: 1 byte compressed flag, 4 bytes big-endian length, then the message.
// HTTP/2 DATA frames do not line up with messages: one message may span many chunks and one chunk may
// hold many messages, so the decoder keeps the unfinished tail between pushes.
import { GrpcError, GrpcStatus } from "./status.ts";

export const FRAME_HEADER_BYTES = 5;

export interface GrpcFrame {
  /** The compressed flag; the bytes are still compressed when it is set (see compression.ts). */
  compressed: boolean;
  data: Uint8Array;
}

export function encodeFrame(data: Uint8Array, compressed = false): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + data.length);
  writeFrameHeader(out, data.length, compressed);
  out.set(data, FRAME_HEADER_BYTES);
  return out;
}

/** True when the chunk is exactly one uncompressed frame within the limit (its message: chunk[5..]). */
export function isWholeFrame(chunk: Uint8Array, maxMessageBytes: number): boolean {
  if (chunk.length < FRAME_HEADER_BYTES || chunk[0] !== 0) return false;
  const length = ((chunk[1]! << 24) | (chunk[2]! << 16) | (chunk[3]! << 8) | chunk[4]!) >>> 0;
  return length === chunk.length - FRAME_HEADER_BYTES && length <= maxMessageBytes;
}

/** The message of a chunk that is exactly one uncompressed frame within the limit; undefined otherwise. */
export function wholeFrame(chunk: Uint8Array, maxMessageBytes: number): Uint8Array | undefined {
  return isWholeFrame(chunk, maxMessageBytes) ? chunk.subarray(FRAME_HEADER_BYTES) : undefined;
}

/** Writes the 5-byte header at the start of `out` for a message of `length` bytes. */
export function writeFrameHeader(out: Uint8Array, length: number, compressed = false): void {
  out[0] = compressed ? 1 : 0;
  out[1] = length >>> 24;
  out[2] = (length >>> 16) & 0xff;
  out[3] = (length >>> 8) & 0xff;
  out[4] = length & 0xff;
}

/**
 * Splits a byte stream into messages. A message whose announced length is over the limit is refused
 * from its header alone, before any of its bytes are buffered.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Length of the message being collected, once its header is complete. */
  private expected = -1;
  private compressed = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True when the stream stopped in the middle of a message (a truncated message at end of stream). */
  get midMessage(): boolean {
    return this.buffered > 0 || this.expected >= 0;
  }

  /** Feeds a chunk; returns every message completed by it. Throws GrpcError on oversize or a bad flag. */
  push(chunk: Uint8Array): GrpcFrame[] {
    const out: GrpcFrame[] = [];
    let offset = 0;
    while (offset < chunk.length || (this.expected === 0 && this.buffered === 0)) {
      if (this.expected < 0) {
        let header: Uint8Array;
        let at: number;
        if (this.buffered === 0 && chunk.length - offset >= FRAME_HEADER_BYTES) {
          // The whole header is in this chunk (the usual case): read it in place.
          header = chunk;
          at = offset;
          offset += FRAME_HEADER_BYTES;
        } else {
          // Collect the 5-byte header across chunks.
          const need = FRAME_HEADER_BYTES - this.buffered;
          const take = Math.min(need, chunk.length - offset);
          this.append(chunk.subarray(offset, offset + take));
          offset += take;
          if (this.buffered < FRAME_HEADER_BYTES) break;
          header = this.drain();
          at = 0;
        }
        const flag = header[at]!;
        if (flag > 1) throw new GrpcError(GrpcStatus.INTERNAL, `invalid gRPC message flag ${flag}`);
        const length = ((header[at + 1]! << 24) | (header[at + 2]! << 16) | (header[at + 3]! << 8) | header[at + 4]!) >>> 0;
        if (length > this.maxMessageBytes) {
          throw new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs. ${this.maxMessageBytes})`);
        }
        this.compressed = flag === 1;
        this.expected = length;
        continue;
      }
      const need = this.expected - this.buffered;
      if (this.buffered === 0 && chunk.length - offset >= need) {
        // Whole message inside this chunk: copy once, no concatenation.
        out.push({ compressed: this.compressed, data: chunk.slice(offset, offset + need) });
        offset += need;
      } else {
        const take = Math.min(need, chunk.length - offset);
        this.append(chunk.subarray(offset, offset + take));
        offset += take;
        if (this.buffered < this.expected) break;
        out.push({ compressed: this.compressed, data: this.drain() });
      }
      this.expected = -1;
    }
    return out;
  }

  /** Drops any unfinished message (after the call ended). */
  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.expected = -1;
  }

  private append(part: Uint8Array): void {
    if (part.length === 0) return;
    this.chunks.push(part.slice());
    this.buffered += part.length;
  }

  private drain(): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0]! : concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return all;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
