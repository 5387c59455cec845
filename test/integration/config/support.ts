// Small HTTP helpers for the configuration center's black-box tests.
import type { ServerProcess } from "../../helpers/server.ts";

export const FORM = { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" };

export function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

export function query(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

export async function post(server: ServerProcess, path: string, values: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url + path, { method: "POST", headers: { ...FORM, ...headers }, body: form(values) });
}

export async function get(server: ServerProcess, path: string, values: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  const qs = query(values);
  return fetch(server.url + path + (qs ? `?${qs}` : ""), { headers });
}

export async function del(server: ServerProcess, path: string, values: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}${path}?${query(values)}`, { method: "DELETE" });
}

export async function publishV1(server: ServerProcess, dataId: string, content: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const res = await post(server, "/nacos/v1/cs/configs", { dataId, group: "DEFAULT_GROUP", content, ...extra }, headers);
  if (res.status !== 200) throw new Error(`publish ${dataId} answered ${res.status}: ${await res.text()}`);
  return res;
}

export async function readV1(server: ServerProcess, dataId: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return get(server, "/nacos/v1/cs/configs", { dataId, group: "DEFAULT_GROUP", ...extra }, headers);
}

/** Listening-Configs for keys in the public namespace: dataId ^B group ^B md5 ^A. */
export function listening(keys: { dataId: string; group?: string; md5: string; tenant?: string }[]): string {
  return keys.map((k) => [k.dataId, k.group ?? "DEFAULT_GROUP", k.md5, ...(k.tenant ? [k.tenant] : [])].join("\u0002") + "\u0001").join("");
}

export function longPoll(server: ServerProcess, probe: string, headers: Record<string, string> = { "Long-Pulling-Timeout": "30000" }, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/nacos/v1/cs/configs/listener`, { method: "POST", headers: { ...FORM, ...headers }, body: form({ "Listening-Configs": probe }), signal });
}

export const md5 = (s: string) => new Bun.CryptoHasher("md5").update(s, "utf8").digest("hex");
