// Three real nodes in one Raft cluster: a config written through any node is readable on every node,
// long-polls and gRPC listeners on every node are told, and a CAS refusal travels back from the leader.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TestCluster } from "../../helpers/cluster.ts";
import { waitFor, type ServerProcess } from "../../helpers/server.ts";
import { NacosGrpcClient } from "../../helpers/grpc-client.ts";
import { listening, longPoll, md5, post } from "./support.ts";

let cluster: TestCluster;
const clients: NacosGrpcClient[] = [];
beforeAll(async () => {
  cluster = await TestCluster.start(3);
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

const node = (id: number): ServerProcess => cluster.node(id).server!;

async function readOn(id: number, dataId: string): Promise<string | undefined> {
  const res = await fetch(`${cluster.url(id)}/nacos/v1/cs/configs?dataId=${dataId}&group=DEFAULT_GROUP`);
  return res.status === 200 ? res.text() : undefined;
}

describe("a config center on three nodes", () => {
  test("a config written through each node is readable on every node", async () => {
    for (const writer of [1, 2, 3]) {
      const res = await post(node(writer), "/nacos/v1/cs/configs", { dataId: `via-${writer}`, group: "DEFAULT_GROUP", content: `written on ${writer}` });
      expect(await res.text()).toBe("true");
    }
    for (const writer of [1, 2, 3]) {
      for (const reader of [1, 2, 3]) {
        await waitFor(`via-${writer} on node ${reader}`, async () => ((await readOn(reader, `via-${writer}`)) === `written on ${writer}` ? true : undefined));
      }
    }
  });

  test("a change made on one node answers long-polls and pushes to gRPC listeners on every node", async () => {
    await post(node(1), "/nacos/v1/cs/configs", { dataId: "watched", group: "DEFAULT_GROUP", content: "v1" });
    for (const id of [1, 2, 3]) await waitFor(`v1 on node ${id}`, async () => ((await readOn(id, "watched")) === "v1" ? true : undefined));
    const polls = [1, 2, 3].map((id) => longPoll(node(id), listening([{ dataId: "watched", md5: md5("v1") }])));
    const grpcClients = await Promise.all(
      [1, 2, 3].map(async (id) => {
        const c = new NacosGrpcClient(`127.0.0.1:${node(id).grpcPort}`);
        clients.push(c);
        await c.connect();
        const r = await c.request("ConfigBatchListenRequest", { listen: true, configListenContexts: [{ dataId: "watched", group: "DEFAULT_GROUP", tenant: "", md5: md5("v1") }] });
        expect(r.body.changedConfigs).toEqual([]);
        return c;
      }),
    );
    await post(node(2), "/nacos/v1/cs/configs", { dataId: "watched", group: "DEFAULT_GROUP", content: "v2" });
    const bodies = await Promise.all(polls.map(async (p) => (await p).text()));
    expect(bodies).toEqual(["watched%02DEFAULT_GROUP%01\n", "watched%02DEFAULT_GROUP%01\n", "watched%02DEFAULT_GROUP%01\n"]);
    await Promise.all(grpcClients.map((c) => c.waitForServerRequest((r) => r.type === "ConfigChangeNotifyRequest" && r.body.dataId === "watched")));
  });

  test("a CAS publish through a follower is refused by the leader's state machine with Nacos's answer", async () => {
    const leader = await cluster.leader();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    await post(node(leader), "/nacos/v1/cs/configs", { dataId: "cas-cluster", group: "DEFAULT_GROUP", content: "one" });
    const res = await post(node(follower), "/nacos/v2/cs/config", { dataId: "cas-cluster", group: "DEFAULT_GROUP", content: "two" }, { casMd5: md5("stale") });
    expect(await res.json()).toEqual({ code: 20005, message: "resource conflict", data: "Cas publish fail, server md5 may have changed." });
    expect(await readOn(follower, "cas-cluster")).toBe("one");
  });
});
