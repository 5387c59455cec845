// Nacos's input rules (ParamUtils, NamespaceController), with the length limits its schema imposes
// made explicit. Every check throws a DomainError("invalid") whose message names the field, so every
// protocol can answer 400 with a clear message before anything is proposed.
import { DomainError } from "../../errors.ts";
import { utf8Length } from "./md5.ts";

/** Nacos v2 error codes used for bad input. */
export const PARAMETER_MISSING = 10000;
export const PARAMETER_VALIDATE_ERROR = 20002;

export const LIMITS = {
  dataId: 255,
  group: 128,
  namespace: 128,
  tag: 16,
  appName: 128,
  desc: 128,
  type: 32,
  configTagCount: 5,
  configTagLength: 64,
  betaIps: 1024,
  srcUser: 128,
  namespaceName: 128,
  namespaceDesc: 256,
} as const;

// Letters and digits of any script, plus _ - . : (Java Character.isLetterOrDigit and Nacos's validChars).
const VALID_NAME = /^[\p{L}\p{Nd}_\-.:]+$/u;

export function isValidName(s: string): boolean {
  return VALID_NAME.test(s);
}

export const invalidParam = (message: string) => new DomainError("invalid", message, PARAMETER_VALIDATE_ERROR);
export const missingParam = (name: string) => new DomainError("invalid", `Required parameter '${name}' type String is not present`, PARAMETER_MISSING);

export function checkDataId(dataId: string): void {
  if (dataId.trim() === "" || !isValidName(dataId.trim())) throw invalidParam(`invalid dataId : ${dataId}`);
  if (dataId.length > LIMITS.dataId) throw invalidParam(`too long dataId, over ${LIMITS.dataId}`);
}

export function checkGroup(group: string): void {
  if (group.trim() === "" || !isValidName(group)) throw invalidParam(`invalid group : ${group}`);
  if (group.length > LIMITS.group) throw invalidParam(`too long group, over ${LIMITS.group}`);
}

/** A namespace id as requests carry it ("" and "public" are fine). */
export function checkNamespace(namespace: string): void {
  if (namespace.trim() === "") return;
  if (!isValidName(namespace.trim())) throw invalidParam("invalid tenant");
  if (namespace.length > LIMITS.namespace) throw invalidParam(`too long tenant, over ${LIMITS.namespace}`);
}

export function checkKey(namespace: string, group: string, dataId: string): void {
  checkNamespace(namespace);
  checkDataId(dataId);
  checkGroup(group);
}

export function checkContent(content: string, maxBytes: number): void {
  if (content.trim() === "") throw invalidParam(`content is blank : ${content}`);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only count bytes when the content could be over.
  if (content.length * 3 > maxBytes && utf8Length(content) > maxBytes) {
    throw new DomainError("invalid", `invalid content, over ${maxBytes} bytes`, PARAMETER_VALIDATE_ERROR);
  }
}

/** A tag (gray by tag, v1 `tag` parameter). Blank means "no tag". */
export function checkTag(tag: string): void {
  if (tag.trim() === "") return;
  if (!isValidName(tag.trim())) throw invalidParam(`invalid tag : ${tag}`);
  if (tag.length > LIMITS.tag) throw invalidParam(`too long tag, over ${LIMITS.tag}`);
}

export interface AttributeInput {
  type?: string;
  desc?: string;
  appName?: string;
  configTags?: string;
}

export function checkAttributes(a: AttributeInput): void {
  if (a.configTags) {
    const tags = a.configTags.split(",");
    if (tags.length > LIMITS.configTagCount) throw invalidParam(`too much config_tags, over ${LIMITS.configTagCount}`);
    for (const t of tags) if (t.length > LIMITS.configTagLength) throw invalidParam(`too long tag, over ${LIMITS.configTagLength}`);
  }
  if (a.desc && a.desc.length > LIMITS.desc) throw invalidParam(`too long desc, over ${LIMITS.desc}`);
  if (a.type && a.type.length > LIMITS.type) throw invalidParam(`too long type, over ${LIMITS.type}`);
  if (a.appName && a.appName.length > LIMITS.appName) throw invalidParam(`too long appName, over ${LIMITS.appName}`);
}

/** Beta IPs: a comma-separated list of addresses, at most 1024 characters (Nacos beta_ips column). */
export function parseBetaIps(raw: string): string[] {
  if (raw.length > LIMITS.betaIps) throw invalidParam(`too long betaIps, over ${LIMITS.betaIps}`);
  const ips = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (ips.length === 0) throw invalidParam("betaIps holds no address");
  for (const ip of ips) if (!/^[0-9A-Za-z.:_\-]+$/.test(ip)) throw invalidParam(`invalid beta ip : ${ip}`);
  return ips;
}

// NamespaceController: ids are word characters and '-', names must not hold @#$%^&*.
const NAMESPACE_ID = /^[\w-]+$/;
const NAMESPACE_NAME = /^[^@#$%^&*]+$/;

/** Nacos ErrorCode.ILLEGAL_NAMESPACE. */
export const ILLEGAL_NAMESPACE = 22000;
const illegalNamespace = (message: string) => new DomainError("invalid", message, ILLEGAL_NAMESPACE);

export function checkNamespaceId(id: string): void {
  if (!NAMESPACE_ID.test(id)) throw illegalNamespace(`illegal namespace id "${id}": only letters, digits, '_' and '-' are allowed`);
  if (id.length > LIMITS.namespace) throw illegalNamespace(`too long namespace id, over ${LIMITS.namespace}`);
}

export function checkNamespaceName(name: string): void {
  if (name.trim() === "") throw missingParam("namespaceName");
  if (!NAMESPACE_NAME.test(name)) throw illegalNamespace(`illegal namespace name "${name}": @#$%^&* are not allowed`);
  if (name.length > LIMITS.namespaceName) throw invalidParam(`too long namespace name, over ${LIMITS.namespaceName}`);
}

export function checkNamespaceDesc(desc: string): void {
  if (desc.length > LIMITS.namespaceDesc) throw invalidParam(`too long namespace description, over ${LIMITS.namespaceDesc}`);
}
