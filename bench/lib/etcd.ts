// etcd from Debian (etcd-server), started on free loopback ports with a temp data dir, as the
// reference for durable writes. It fsyncs its WAL before answering a PUT, as we do.
import type { Subprocess } from "bun";
import { join } from "node:path";
import { ensureTool } from "./tools.ts";
import { freePort, tempDir, waitFor } from "../../test/helpers/server.ts";

export interface Etcd {
  url: string;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<Etcd> {
  await ensureTool("etcd");
  const [client, peer] = [await freePort(), await freePort()];
  const dir = join(tempDir("rnacos-etcd-"), "data");
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc: Subprocess = Bun.spawn(
    [
      "etcd",
      "--name=bench",
      `--data-dir=${dir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=bench=${peerUrl}`,
      "--log-level=error",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  await waitFor("etcd", async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined), 20_000, 50);
  return {
    url,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** A wrk script that PUTs 100-byte values to `keys` distinct keys through etcd's JSON gateway. */
export function etcdPutScript(keys: number): string {
  const b64 = Array.from({ length: keys }, (_, i) => `"${Buffer.from(`bench-${i}`).toString("base64")}"`);
  const value = Buffer.from("v".repeat(100)).toString("base64");
  return `
keys = {${b64.join(",")}}
counter = 0
request = function()
  counter = counter + 1
  local body = '{"key":"' .. keys[(counter % ${keys}) + 1] .. '","value":"${value}"}'
  return wrk.format("POST", "/v3/kv/put", {["Content-Type"] = "application/json"}, body)
end
`;
}

/** The same load against rnacos: Nacos v1 config publish of 100-byte contents to `keys` keys. */
export function nacosPublishScript(keys: number): string {
  return `
counter = 0
request = function()
  counter = counter + 1
  local body = "dataId=bench-" .. (counter % ${keys}) .. "&group=DEFAULT_GROUP&content=${"v".repeat(100)}"
  return wrk.format("POST", "/nacos/v1/cs/configs", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
`;
}
