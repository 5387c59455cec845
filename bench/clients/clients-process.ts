// Holds COUNT registered Nacos connections to 127.0.0.1:PORT from its own process, opening CONCURRENCY at a
// time, and answers every server request on them. Prints "PROGRESS n" while connecting, then
// "READY n ids-file" (the connection ids, one per line, written to ids-file); stays until killed.
//   bun bench/clients/clients-process.ts PORT COUNT [CONCURRENCY]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { connectRawClient, type RawNacosClient } from "./raw-nacos-client.ts";

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const concurrency = Number(process.argv[4] ?? 100);
const clients: RawNacosClient[] = [];
let next = 0;

async function worker(): Promise<void> {
  while (next < count) {
    next++;
    clients.push(await connectRawClient(port, "bench"));
    if (clients.length % 500 === 0) process.stdout.write(`PROGRESS ${clients.length}\n`);
  }
}

try {
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
} catch (err) {
  process.stdout.write(`FAILED ${(err as Error).message}\n`);
  process.exit(1);
}
const idsFile = join(tmpdir(), `rnacos-bench-ids-${process.pid}.txt`);
writeFileSync(idsFile, clients.map((c) => c.connectionId).join("\n") + "\n");
process.stdout.write(`READY ${clients.length} ${idsFile}\n`);
setInterval(() => {}, 1 << 30);
