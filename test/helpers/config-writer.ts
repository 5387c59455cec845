// Writes configs through the Nacos v1 API and keeps the ones the server acknowledged, so tests can
// check that every acknowledged write survives crashes, elections and restarts.
export interface Ack {
  dataId: string;
  content: string;
}

export async function publish(baseUrl: string, dataId: string, content: string, timeoutMs = 15_000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/nacos/v1/cs/configs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ dataId, group: "DEFAULT_GROUP", content }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.status === 200 && (await res.text()) === "true";
  } catch {
    return false;
  }
}

export async function read(baseUrl: string, dataId: string): Promise<string | undefined> {
  const res = await fetch(`${baseUrl}/nacos/v1/cs/configs?dataId=${encodeURIComponent(dataId)}&group=DEFAULT_GROUP`).catch(() => undefined);
  if (!res || res.status !== 200) return undefined;
  return res.text();
}

/** History rows of one config: an entry applied twice would show up as two rows. */
export async function historyCount(baseUrl: string, dataId: string): Promise<number> {
  const res = await fetch(`${baseUrl}/nacos/v1/cs/history?search=accurate&dataId=${encodeURIComponent(dataId)}&group=DEFAULT_GROUP&pageNo=1&pageSize=100`);
  const body = (await res.json()) as { totalCount: number };
  return body.totalCount;
}

/**
 * Writers that keep publishing distinct keys to the given targets until stopped; a target can change
 * while they run (e.g. a node was killed). Only writes answered "true" are recorded as acknowledged.
 */
export class BackgroundWriter {
  readonly acked: Ack[] = [];
  attempts = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly prefix: string,
    private readonly targets: () => string[],
    concurrency = 4,
  ) {
    let seq = 0;
    for (let w = 0; w < concurrency; w++) {
      this.loops.push(
        (async () => {
          while (this.running) {
            const list = this.targets();
            const i = seq++;
            const target = list[i % list.length];
            if (!target) {
              await Bun.sleep(10);
              continue;
            }
            const ack = { dataId: `${this.prefix}-${i}`, content: `value-${i}` };
            this.attempts++;
            if (await publish(target, ack.dataId, ack.content, 15_000)) this.acked.push(ack);
            else await Bun.sleep(20);
          }
        })(),
      );
    }
  }

  async stop(): Promise<Ack[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.acked;
  }
}
