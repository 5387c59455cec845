import { expect, test } from "bun:test";
import { RaftBatch } from "../../../src/grpc/generated/cluster.ts";
import { messageFromPb, messageToPb } from "../../../src/raft/transport/codec.ts";
import { decodeRaftBatch, encodeRaftBatch, raftBatchFrame } from "../../../src/raft/transport/raft-batch-codec.ts";
import { newMessage, type Message } from "../../../src/raft/core/types.ts";

import { MESSAGE_TYPES as TYPES } from "../../../src/raft/transport/codec.ts";

/** Messages covering every field, zero and non-zero, small and near 2^53. */
function sampleMessages(seed: number): Message[] {
  let x = seed;
  const rnd = (max: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % max;
  };
  const big = () => (rnd(4) === 0 ? Number.MAX_SAFE_INTEGER - rnd(1000) : rnd(4) === 0 ? 0 : rnd(1 << 30));
  return Array.from({ length: 1 + rnd(5) }, () => {
    const m = newMessage(TYPES[rnd(TYPES.length)]!, 1 + rnd(5), 1 + rnd(5), big());
    m.logTerm = big();
    m.index = big();
    m.commit = big();
    m.reject = rnd(2) === 1;
    m.rejectHint = big();
    m.transfer = rnd(2) === 1;
    m.entries = Array.from({ length: rnd(4) }, () => ({
      index: big(),
      term: big(),
      type: rnd(3) === 0 ? ("confChange" as const) : ("normal" as const),
      data: new Uint8Array(Array.from({ length: rnd(3) === 0 ? 0 : rnd(300) }, () => rnd(256))),
    }));
    if (rnd(3) === 0) m.snapshot = { index: big(), term: big(), conf: { voters: [1, 2, big()].slice(0, rnd(4)), learners: [big()].slice(0, rnd(2)) } };
    if (rnd(2) === 0) m.context = new TextEncoder().encode(`ctx-${rnd(1000)}`);
    return m;
  });
}

test("hand-written RaftBatch bytes read back the same through the generated protobuf code, and the other way", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const messages = sampleMessages(seed);
    const ours = encodeRaftBatch(messages);
    expect(RaftBatch.fromBinary(ours).messages.map(messageFromPb)).toEqual(messages);
    const generated = RaftBatch.toBinary({ messages: messages.map(messageToPb) });
    expect(decodeRaftBatch(generated)).toEqual(messages);
    expect(ours).toEqual(generated);
  }
});

test("a frame is the 5-byte gRPC header and the batch", () => {
  const messages = sampleMessages(7);
  const frame = raftBatchFrame(messages);
  const body = encodeRaftBatch(messages);
  expect(frame[0]).toBe(0);
  expect(new DataView(frame.buffer, frame.byteOffset).getUint32(1)).toBe(body.length);
  expect(frame.subarray(5)).toEqual(body);
});

test("truncated or unknown input is refused with a clear error", () => {
  const bytes = encodeRaftBatch(sampleMessages(3));
  expect(() => decodeRaftBatch(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
  const unknownType = RaftBatch.toBinary({ messages: [{ ...messageToPb(newMessage("app", 1, 2, 3)), type: 99 }] });
  expect(() => decodeRaftBatch(unknownType)).toThrow(/unknown Raft message type 99/);
});
