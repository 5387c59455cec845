// The JSON shapes Nacos gives configs, history rows and namespaces over HTTP (ConfigInfo, ConfigAllInfo,
// ConfigInfo4Beta, ConfigHistoryInfo, Namespace), built from the domain records.
import type { ConfigRecord, GrayRecord, HistoryRecord } from "../../config/model/config-record.ts";
import type { HistoryDetail } from "../../config/history/history-service.ts";
import type { NamespaceView } from "../../config/namespace/namespace-service.ts";
import type { ConfigIndex } from "../../config/config-index.ts";
import { isoTime } from "./config-http-answers.ts";

/** ConfigInfo as search pages list it (plus isBeta, so lists show running betas). */
export function configInfoJson(c: ConfigRecord, index?: ConfigIndex) {
  return {
    id: String(c.id),
    dataId: c.dataId,
    group: c.group,
    content: c.content,
    md5: c.md5,
    encryptedDataKey: "",
    tenant: c.namespace,
    appName: c.appName,
    type: c.type,
    configTags: c.configTags || null,
    isBeta: index ? index.gray(c, "beta") !== undefined : false,
  };
}

/** ConfigAllInfo (console detail, `show=all`). */
export function configAllInfoJson(c: ConfigRecord) {
  const { isBeta: _listOnly, ...info } = configInfoJson(c);
  return {
    ...info,
    createTime: c.createdAt,
    modifyTime: c.modifiedAt,
    createUser: c.srcUser || null,
    createIp: c.srcIp || null,
    desc: c.desc || null,
    use: null,
    effect: null,
    schema: null,
  };
}

/** ConfigInfo4Beta (`beta=true`). */
export function betaJson(g: GrayRecord, formal: ConfigRecord | undefined) {
  return {
    id: formal ? String(formal.id) : null,
    dataId: g.dataId,
    group: g.group,
    content: g.content,
    md5: g.md5,
    encryptedDataKey: "",
    tenant: g.namespace,
    appName: g.appName,
    type: g.type,
    betaIps: g.expr,
    lastModified: g.modifiedAt,
    srcUser: g.srcUser,
    srcIp: g.srcIp,
  };
}

/** ConfigHistoryInfo; list pages leave content and md5 out, as Nacos's page query does. */
export function historyJson(h: HistoryRecord, withContent: boolean) {
  return {
    id: String(h.nid),
    lastId: -1,
    configId: String(h.configId),
    dataId: h.dataId,
    group: h.group,
    tenant: h.namespace,
    appName: h.appName,
    md5: withContent ? h.md5 : null,
    content: withContent ? h.content : null,
    srcIp: h.srcIp,
    srcUser: h.srcUser,
    opType: h.opType,
    publishType: h.publishType,
    grayName: h.grayName,
    extInfo: h.extInfo,
    createdTime: isoTime(h.createdAt),
    lastModifiedTime: isoTime(h.modifiedAt),
    encryptedDataKey: "",
  };
}

export function historyDetailJson(d: HistoryDetail) {
  return {
    ...historyJson(d, true),
    originalMd5: d.originalMd5,
    originalContent: d.originalContent,
    originalEncryptedDataKey: "",
    originalExtInfo: d.opType === "I" ? "" : d.extInfo,
    updatedMd5: d.updatedMd5,
    updatedContent: d.updatedContent,
    updatedEncryptedDataKey: "",
    updateExtInfo: d.opType === "I" ? d.extInfo : "",
  };
}

/** Nacos Namespace; the public one is "" in the v1 console API, "public" from v2 on. */
export function namespaceJson(n: NamespaceView, publicId: "" | "public") {
  return {
    namespace: n.id === "" ? publicId : n.id,
    namespaceShowName: n.name,
    namespaceDesc: n.desc,
    quota: n.quota,
    configCount: n.configCount,
    type: n.type,
  };
}
