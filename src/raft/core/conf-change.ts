// Membership changes: how a ConfChange is carried in a log entry, and what it does to a ConfState.
// Changes go one server at a time, so any two consecutive memberships share a majority.

import type { ConfChange, ConfChangeType, ConfState } from "./types.ts";

const TYPE_CODE: Record<ConfChangeType, number> = { addVoter: 1, addLearner: 2, removeNode: 3 };
const CODE_TYPE: Record<number, ConfChangeType> = { 1: "addVoter", 2: "addLearner", 3: "removeNode" };

/** Layout: 1 byte type, 8 bytes node id (float64 big-endian), then the context bytes. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const ctx = cc.context ?? new Uint8Array(0);
  const out = new Uint8Array(9 + ctx.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, TYPE_CODE[cc.type]);
  view.setFloat64(1, cc.nodeId);
  out.set(ctx, 9);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.length < 9) throw new Error("conf change entry too short");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = CODE_TYPE[view.getUint8(0)];
  if (!type) throw new Error(`unknown conf change type ${view.getUint8(0)}`);
  const nodeId = view.getFloat64(1);
  const context = data.slice(9);
  return context.length > 0 ? { type, nodeId, context } : { type, nodeId };
}

/**
 * The membership after `cc`, or null when cc changes nothing or would leave no voter. Pure and
 * deterministic: every node applies the same entries in the same order and gets the same result.
 */
export function changeConf(conf: ConfState, cc: ConfChange): ConfState | null {
  const id = cc.nodeId;
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const isVoter = conf.voters.includes(id);
  const isLearner = conf.learners.includes(id);
  const voters = conf.voters.filter((v) => v !== id);
  const learners = conf.learners.filter((v) => v !== id);
  switch (cc.type) {
    case "addVoter":
      if (isVoter) return null;
      voters.push(id);
      break;
    case "addLearner":
      if (isLearner) return null;
      learners.push(id);
      break;
    case "removeNode":
      if (!isVoter && !isLearner) return null;
      break;
  }
  if (voters.length === 0) return null;
  voters.sort((a, b) => a - b);
  learners.sort((a, b) => a - b);
  return { voters, learners };
}
