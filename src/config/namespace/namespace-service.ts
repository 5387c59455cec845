// Namespaces (tenants): the public one always exists; others are created, renamed and deleted (only when
// they hold no config). Listed with their config counts, as the Nacos console shows them.
import { notFound } from "../../errors.ts";
import type { Proposer } from "../../raft/proposer.ts";
import type { ConfigIndex } from "../config-index.ts";
import { normalizeNamespace } from "../model/config-key.ts";
import type { NamespaceRecord } from "../model/config-record.ts";
import { checkNamespaceDesc, checkNamespaceId, checkNamespaceName } from "../model/validation.ts";
import { CREATE_NAMESPACE, DELETE_NAMESPACE, NAMESPACE_NOT_EXIST, UPDATE_NAMESPACE, type NamespacePayload } from "../commands/namespace-commands.ts";

export interface NamespaceView {
  /** "" for the public namespace. */
  id: string;
  name: string;
  desc: string;
  /** Nacos: 0 global (public), 2 custom. */
  type: 0 | 2;
  quota: number;
  configCount: number;
}

/** Nacos's fixed per-namespace quota shown by the console. */
const DEFAULT_QUOTA = 200;

export class NamespaceService {
  constructor(
    private readonly proposer: Proposer,
    private readonly index: ConfigIndex,
    private readonly now: () => number,
    private readonly randomId: () => string = () => crypto.randomUUID(),
  ) {}

  list(): NamespaceView[] {
    return [this.publicView(), ...this.index.namespaces().map((n) => this.view(n))];
  }

  get(id: string): NamespaceView {
    const ns = normalizeNamespace(id);
    if (ns === "") return this.publicView();
    const record = this.index.namespace(ns);
    if (!record) throw notFound(`namespaceId [ ${id} ] not exist`, NAMESPACE_NOT_EXIST);
    return this.view(record);
  }

  exists(id: string): boolean {
    const ns = normalizeNamespace(id);
    return ns === "" || this.index.namespace(ns) !== undefined;
  }

  /** Creates a namespace; a blank id gets a random UUID. */
  async create(id: string, name: string, desc = ""): Promise<NamespaceView> {
    const chosen = id.trim() === "" ? this.randomId() : id.trim();
    checkNamespaceId(chosen);
    checkNamespaceName(name);
    checkNamespaceDesc(desc);
    const payload: NamespacePayload = { id: chosen, name, desc, at: this.now() };
    const record = await this.proposer.propose<NamespaceRecord>(CREATE_NAMESPACE, payload);
    return this.view(record);
  }

  async update(id: string, name: string, desc = ""): Promise<NamespaceView> {
    checkNamespaceName(name);
    checkNamespaceDesc(desc);
    const payload: NamespacePayload = { id: id.trim(), name, desc, at: this.now() };
    const record = await this.proposer.propose<NamespaceRecord>(UPDATE_NAMESPACE, payload);
    return this.view(record);
  }

  /** Resolves true when it existed; rejects (conflict) while it holds configs. */
  delete(id: string): Promise<boolean> {
    return this.proposer.propose<boolean>(DELETE_NAMESPACE, { id: id.trim() });
  }

  private publicView(): NamespaceView {
    return { id: "", name: "public", desc: "Default Namespace", type: 0, quota: DEFAULT_QUOTA, configCount: this.index.countIn("") };
  }

  private view(n: NamespaceRecord): NamespaceView {
    return { id: n.id, name: n.name, desc: n.desc, type: 2, quota: DEFAULT_QUOTA, configCount: this.index.countIn(n.id) };
  }
}
