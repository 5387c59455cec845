// Namespaces: create (ids are unique and never the default one), update name and description, and
// delete, which is refused while the namespace still holds configs.
import { conflict, DomainError, notFound } from "../../errors.ts";
import type { CommandHandler } from "../../raft/state-machine.ts";
import type { NamespaceRecord } from "../model/config-record.ts";
import type { CommandDeps } from "./command-effects.ts";

export const CREATE_NAMESPACE = "namespace.create";
export const UPDATE_NAMESPACE = "namespace.update";
export const DELETE_NAMESPACE = "namespace.delete";

/** Nacos ErrorCode.NAMESPACE_NOT_EXIST / NAMESPACE_ALREADY_EXIST. */
export const NAMESPACE_NOT_EXIST = 22001;
export const NAMESPACE_ALREADY_EXIST = 22002;

export interface NamespacePayload {
  id: string;
  name: string;
  desc: string;
  at: number;
}

export function createNamespaceHandler(deps: CommandDeps): CommandHandler<NamespacePayload, NamespaceRecord> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      if (p.id === "" || p.id === "public") {
        throw new DomainError("invalid", `namespaceId [${p.id}] is default namespace id and already exist.`, NAMESPACE_ALREADY_EXIST);
      }
      if (t.findNamespace(p.id)) throw new DomainError("invalid", `namespaceId [${p.id}] already exist.`, NAMESPACE_ALREADY_EXIST);
      const record: NamespaceRecord = { id: p.id, name: p.name, desc: p.desc, createdAt: p.at };
      t.insertNamespace(record);
      ctx.afterCommit(() => deps.index.setNamespace(record));
      return record;
    },
  };
}

export function updateNamespaceHandler(deps: CommandDeps): CommandHandler<NamespacePayload, NamespaceRecord> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      const existing = t.findNamespace(p.id);
      if (!existing) throw notFound(`namespaceId [ ${p.id} ] not exist`, NAMESPACE_NOT_EXIST);
      t.updateNamespace(p.id, p.name, p.desc, p.at);
      const record: NamespaceRecord = { ...existing, name: p.name, desc: p.desc };
      ctx.afterCommit(() => deps.index.setNamespace(record));
      return record;
    },
  };
}

/** Resolves true when the namespace existed. */
export function deleteNamespaceHandler(deps: CommandDeps): CommandHandler<{ id: string }, boolean> {
  return {
    apply(db, p, ctx) {
      const t = deps.tables(db);
      const count = t.countConfigsIn(p.id);
      if (count > 0) throw conflict(`namespace ${p.id} still holds ${count} config${count === 1 ? "" : "s"}; remove them first`);
      const existed = t.deleteNamespace(p.id);
      ctx.afterCommit(() => deps.index.deleteNamespace(p.id));
      return existed;
    },
  };
}
