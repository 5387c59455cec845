// Console start page: what this node is and where it listens, from the console API.
export {};
interface ServerState {
  version: string;
  nodeId: number;
  phase: string;
  httpPort: number;
  grpcPort: number;
  consolePort: number;
  dataDir: string;
  startedAt: number;
}

const facts = document.getElementById("facts") as HTMLDListElement;
const statusLine = document.getElementById("statusLine") as HTMLParagraphElement;

function row(label: string, value: string | number): void {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = String(value);
  dd.dataset.field = label;
  facts.append(dt, dd);
}

async function load(): Promise<void> {
  const res = await fetch("/rnacos/api/console/v2/server/state");
  if (!res.ok) throw new Error(`console API answered ${res.status}`);
  const body = (await res.json()) as { data: ServerState };
  const s = body.data;
  document.getElementById("version")!.textContent = `v${s.version}`;
  statusLine.textContent = `node ${s.nodeId} is ${s.phase}`;
  statusLine.dataset.phase = s.phase;
  facts.replaceChildren();
  row("version", s.version);
  row("node id", s.nodeId);
  row("state", s.phase);
  row("HTTP port", s.httpPort);
  row("gRPC port", s.grpcPort);
  row("console port", s.consolePort);
  row("data dir", s.dataDir);
  row("started", new Date(s.startedAt).toLocaleString());
  facts.hidden = false;
}

load().catch((err: Error) => {
  statusLine.textContent = `cannot reach the server: ${err.message}`;
  statusLine.className = "error";
});
