// Core Raft messages to and from their protobuf form on the cluster channel.
import type { ConfState, Entry, Message, MessageType, SnapshotMeta } from "../core/types.ts";
import { EMPTY_BYTES } from "../core/types.ts";
import type { ConfState as PbConf, Entry as PbEntry, RaftMessage, SnapshotMeta as PbSnap } from "../../grpc/generated/cluster.ts";

/** Message types by their wire code (RaftMessage.type); both codecs use this one table. */
export const MESSAGE_TYPES: readonly MessageType[] = ["app", "appResp", "preVote", "preVoteResp", "vote", "voteResp", "heartbeat", "heartbeatResp", "snap", "timeoutNow", "readIndex", "readIndexResp"];
export const MESSAGE_TYPE_CODE = new Map(MESSAGE_TYPES.map((t, i) => [t, i]));

const confToPb = (c: ConfState): PbConf => ({ voters: c.voters, learners: c.learners });
const confFromPb = (c: PbConf | undefined): ConfState => ({ voters: c?.voters ?? [], learners: c?.learners ?? [] });
const snapToPb = (s: SnapshotMeta): PbSnap => ({ index: s.index, term: s.term, conf: confToPb(s.conf) });
const snapFromPb = (s: PbSnap): SnapshotMeta => ({ index: s.index, term: s.term, conf: confFromPb(s.conf) });
const entryToPb = (e: Entry): PbEntry => ({ index: e.index, term: e.term, type: e.type === "normal" ? 0 : 1, data: e.data });
const entryFromPb = (e: PbEntry): Entry => ({ index: e.index, term: e.term, type: e.type === 1 ? "confChange" : "normal", data: e.data });

export function messageToPb(m: Message): RaftMessage {
  return {
    type: MESSAGE_TYPE_CODE.get(m.type)!,
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map(entryToPb),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    transfer: m.transfer,
    snapshot: m.snapshot ? snapToPb(m.snapshot) : undefined,
    context: m.context,
  };
}

export function messageFromPb(m: RaftMessage): Message {
  const type = MESSAGE_TYPES[m.type];
  if (!type) throw new Error(`unknown Raft message type ${m.type}`);
  return {
    type,
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map(entryFromPb),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    transfer: m.transfer,
    snapshot: m.snapshot ? snapFromPb(m.snapshot) : null,
    context: m.context.length > 0 ? m.context : EMPTY_BYTES,
  };
}
