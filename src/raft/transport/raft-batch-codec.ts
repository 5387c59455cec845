// RaftBatch (proto/cluster.proto) written and read by hand, straight from and to core Messages.
// Every replicated write crosses this twice per follower; the generated protobuf-ts code built an
// intermediate object per message and entry and measured at ~9% of a cluster leader's CPU. The bytes
// are the same protobuf wire format, so the generated RaftBatch type reads them and writes what this
// reads (tests check both directions). Unknown fields are skipped, as protobuf requires.
import { EMPTY_BYTES, type ConfState, type Entry, type Message, type SnapshotMeta } from "../core/types.ts";
import { MESSAGE_TYPE_CODE, MESSAGE_TYPES } from "./codec.ts";
import { FRAME_HEADER_BYTES, writeFrameHeader } from "../../grpc/framing.ts";
import type { MessageCodec } from "../../grpc/method.ts";


const VARINT = 0;
const LEN = 2;

// ---------------------------------------------------------------- sizes

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** A field with a varint value; proto3 leaves out zero. */
const numField = (n: number): number => (n === 0 ? 0 : 1 + varintSize(n));
const lenField = (len: number): number => 1 + varintSize(len) + len;

function packedSize(values: readonly number[]): number {
  let size = 0;
  for (const v of values) size += varintSize(v);
  return size;
}

function confSize(c: ConfState): number {
  return (c.voters.length > 0 ? lenField(packedSize(c.voters)) : 0) + (c.learners.length > 0 ? lenField(packedSize(c.learners)) : 0);
}

function snapSize(s: SnapshotMeta): number {
  return numField(s.index) + numField(s.term) + lenField(confSize(s.conf));
}

function entrySize(e: Entry): number {
  return numField(e.index) + numField(e.term) + numField(e.type === "normal" ? 0 : 1) + (e.data.length > 0 ? lenField(e.data.length) : 0);
}

function messageSize(m: Message, entrySizes: number[]): number {
  let size = numField(MESSAGE_TYPE_CODE.get(m.type)!) + numField(m.from) + numField(m.to) + numField(m.term) + numField(m.logTerm) + numField(m.index);
  for (const e of m.entries) {
    const s = entrySize(e);
    entrySizes.push(s);
    size += lenField(s);
  }
  size += numField(m.commit) + (m.reject ? 2 : 0) + numField(m.rejectHint) + (m.transfer ? 2 : 0);
  if (m.snapshot) size += lenField(snapSize(m.snapshot));
  if (m.context.length > 0) size += lenField(m.context.length);
  return size;
}

// ---------------------------------------------------------------- writing

class Writer {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  varint(n: number): void {
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  num(field: number, n: number): void {
    if (n === 0) return;
    this.buf[this.pos++] = (field << 3) | VARINT;
    this.varint(n);
  }

  bool(field: number, b: boolean): void {
    if (!b) return;
    this.buf[this.pos++] = (field << 3) | VARINT;
    this.buf[this.pos++] = 1;
  }

  head(field: number, len: number): void {
    this.buf[this.pos++] = (field << 3) | LEN;
    this.varint(len);
  }

  bytes(field: number, b: Uint8Array): void {
    if (b.length === 0) return;
    this.head(field, b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  packed(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    this.head(field, packedSize(values));
    for (const v of values) this.varint(v);
  }
}

/** RaftBatch bytes, after `prefix` bytes left free at the start (for a frame header). */
export function encodeRaftBatch(messages: readonly Message[], prefix = 0): Uint8Array {
  const entrySizes: number[] = [];
  const sizes = messages.map((m) => messageSize(m, entrySizes));
  let total = 0;
  for (const s of sizes) total += lenField(s);
  const w = new Writer(new Uint8Array(prefix + total));
  w.pos = prefix;
  let e = 0;
  messages.forEach((m, i) => {
    w.head(1, sizes[i]!);
    w.num(1, MESSAGE_TYPE_CODE.get(m.type)!);
    w.num(2, m.from);
    w.num(3, m.to);
    w.num(4, m.term);
    w.num(5, m.logTerm);
    w.num(6, m.index);
    for (const entry of m.entries) {
      w.head(7, entrySizes[e++]!);
      w.num(1, entry.index);
      w.num(2, entry.term);
      w.num(3, entry.type === "normal" ? 0 : 1);
      w.bytes(4, entry.data);
    }
    w.num(8, m.commit);
    w.bool(9, m.reject);
    w.num(10, m.rejectHint);
    w.bool(11, m.transfer);
    if (m.snapshot) {
      const s = m.snapshot;
      w.head(12, snapSize(s));
      w.num(1, s.index);
      w.num(2, s.term);
      w.head(3, confSize(s.conf));
      w.packed(1, s.conf.voters);
      w.packed(2, s.conf.learners);
    }
    w.bytes(13, m.context);
  });
  return w.buf;
}

// ---------------------------------------------------------------- reading

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get more(): boolean {
    return this.pos < this.end;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error("truncated varint in Raft batch");
      const b = this.buf[this.pos++]!;
      n += (b & 127) * scale;
      if (b < 128) return n;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error("varint too long in Raft batch");
    }
  }

  /** The bounds of a length-delimited field's value; the reader moves past it. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new Error("truncated field in Raft batch");
    this.pos = start + len;
    return [start, this.pos];
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === LEN) this.span();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType} in Raft batch`);
    if (this.pos > this.end) throw new Error("truncated field in Raft batch");
  }

  /** repeated uint64, packed or not. */
  repeated(wireType: number, into: number[]): void {
    if (wireType !== LEN) {
      into.push(this.varint());
      return;
    }
    const [start, end] = this.span();
    const inner = new Reader(this.buf, start, end);
    while (inner.more) into.push(inner.varint());
  }
}

function readEntry(buf: Uint8Array, start: number, end: number): Entry {
  const r = new Reader(buf, start, end);
  const e: Entry = { index: 0, term: 0, type: "normal", data: EMPTY_BYTES };
  while (r.more) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === VARINT) e.index = r.varint();
    else if (field === 2 && wire === VARINT) e.term = r.varint();
    else if (field === 3 && wire === VARINT) e.type = r.varint() === 1 ? "confChange" : "normal";
    else if (field === 4 && wire === LEN) {
      const [s, t] = r.span();
      e.data = buf.slice(s, t); // a copy: the log keeps entries, not the whole received chunk
    } else r.skip(wire);
  }
  return e;
}

function readConf(buf: Uint8Array, start: number, end: number): ConfState {
  const r = new Reader(buf, start, end);
  const conf: ConfState = { voters: [], learners: [] };
  while (r.more) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) r.repeated(tag & 7, conf.voters);
    else if (field === 2) r.repeated(tag & 7, conf.learners);
    else r.skip(tag & 7);
  }
  return conf;
}

function readSnapshot(buf: Uint8Array, start: number, end: number): SnapshotMeta {
  const r = new Reader(buf, start, end);
  const s: SnapshotMeta = { index: 0, term: 0, conf: { voters: [], learners: [] } };
  while (r.more) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === VARINT) s.index = r.varint();
    else if (field === 2 && wire === VARINT) s.term = r.varint();
    else if (field === 3 && wire === LEN) s.conf = readConf(buf, ...r.span());
    else r.skip(wire);
  }
  return s;
}

function readMessage(buf: Uint8Array, start: number, end: number): Message {
  const r = new Reader(buf, start, end);
  let type = 0;
  const m: Message = { type: "app", from: 0, to: 0, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, transfer: false, snapshot: null, context: EMPTY_BYTES };
  while (r.more) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === VARINT) {
      const v = r.varint();
      if (field === 1) type = v;
      else if (field === 2) m.from = v;
      else if (field === 3) m.to = v;
      else if (field === 4) m.term = v;
      else if (field === 5) m.logTerm = v;
      else if (field === 6) m.index = v;
      else if (field === 8) m.commit = v;
      else if (field === 9) m.reject = v !== 0;
      else if (field === 10) m.rejectHint = v;
      else if (field === 11) m.transfer = v !== 0;
    } else if (wire === LEN && field === 7) m.entries.push(readEntry(buf, ...r.span()));
    else if (wire === LEN && field === 12) m.snapshot = readSnapshot(buf, ...r.span());
    else if (wire === LEN && field === 13) {
      const [s, t] = r.span();
      m.context = buf.slice(s, t);
    } else r.skip(wire);
  }
  const name = MESSAGE_TYPES[type];
  if (!name) throw new Error(`unknown Raft message type ${type}`);
  m.type = name;
  return m;
}

/** The messages of a RaftBatch (bytes without the gRPC frame prefix). */
export function decodeRaftBatch(bytes: Uint8Array): Message[] {
  const r = new Reader(bytes, 0, bytes.length);
  const out: Message[] = [];
  while (r.more) {
    const tag = r.varint();
    if (tag === ((1 << 3) | LEN)) out.push(readMessage(bytes, ...r.span()));
    else r.skip(tag & 7);
  }
  return out;
}

/** The batch as one whole gRPC frame (header and message in one buffer, no copy). */
export function raftBatchFrame(messages: readonly Message[]): Uint8Array {
  const frame = encodeRaftBatch(messages, FRAME_HEADER_BYTES);
  writeFrameHeader(frame, frame.length - FRAME_HEADER_BYTES);
  return frame;
}

/** The cluster stream's request codec: RaftBatch bytes to and from core Messages. */
export const RAFT_BATCH_CODEC: MessageCodec<Message[]> = {
  decode: decodeRaftBatch,
  encode: (messages) => encodeRaftBatch(messages),
  encodeFrame: raftBatchFrame,
};
