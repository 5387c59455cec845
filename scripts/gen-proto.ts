// Generates TypeScript for every proto/*.proto into src/grpc/generated/ with protobuf-ts.
//
//   bun scripts/gen-proto.ts          (or: npm run gen:proto)
//
// Needs Debian's protoc and the well-known types (google/protobuf/any.proto, timestamp.proto):
//
//   apt-get install protobuf-compiler libprotobuf-dev
//
// protobuf-compiler provides /usr/bin/protoc; libprotobuf-dev provides /usr/include/google/protobuf/*.proto
// (apt installs it with protobuf-compiler as a recommended package unless --no-install-recommends).
// The protobuf-ts plugin (@protobuf-ts/plugin, a devDependency) runs under this same Bun, so Node is not needed.
//
// proto/nacos_grpc_service.proto is the unmodified file from alibaba/nacos
// (api/src/main/proto/nacos_grpc_service.proto, Apache-2.0). Other files (e.g. proto/cluster.proto for the
// Raft channel) are picked up automatically. The output is committed; rerun this after changing a .proto file.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";

const ROOT = resolve(import.meta.dir, "..");
const PROTO_DIR = join(ROOT, "proto");
const OUT_DIR = join(ROOT, "src", "grpc", "generated");
const PROTOC = process.env.PROTOC ?? "/usr/bin/protoc";
const WKT_INCLUDE = "/usr/include";
const PLUGIN = join(ROOT, "node_modules", "@protobuf-ts", "plugin", "bin", "protoc-gen-ts");

function fail(message: string): never {
  process.stderr.write(`gen-proto: ${message}\n`);
  process.exit(1);
}

if (!existsSync(PROTOC)) {
  fail(`${PROTOC} not found. Install it with: apt-get install protobuf-compiler libprotobuf-dev`);
}
if (!existsSync(join(WKT_INCLUDE, "google", "protobuf", "any.proto"))) {
  fail(`${WKT_INCLUDE}/google/protobuf/any.proto not found (well-known types). Install them with: apt-get install libprotobuf-dev`);
}
if (!existsSync(PLUGIN)) {
  fail(`${PLUGIN} not found. Run the package install first (npm ci / bun install).`);
}

const protos = readdirSync(PROTO_DIR)
  .filter((name) => name.endsWith(".proto"))
  .sort();
if (protos.length === 0) fail(`no .proto files in ${PROTO_DIR}`);

// protoc starts plugins as executables; a tiny wrapper runs protobuf-ts's plugin under this Bun.
const work = mkdtempSync(join(tmpdir(), "gen-proto-"));
const wrapper = join(work, "protoc-gen-ts");
writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${PLUGIN}" "$@"\n`);
chmodSync(wrapper, 0o755);

try {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const args = [
    `--plugin=protoc-gen-ts=${wrapper}`,
    `--ts_out=${OUT_DIR}`,
    // Messages only: the bridge serves methods itself; long_type_string keeps int64 exact without bigint;
    // ts_nocheck because the generated classes do not write `override` (our tsconfig has noImplicitOverride).
    "--ts_opt=force_disable_services,long_type_string,optimize_speed,ts_nocheck",
    `-I${PROTO_DIR}`,
    `-I${WKT_INCLUDE}`,
    ...protos.map((name) => join(PROTO_DIR, name)),
  ];
  const run = spawnSync(PROTOC, args, { stdio: "inherit" });
  if (run.error) fail(`could not run ${PROTOC}: ${run.error.message}`);
  if (run.status !== 0) fail(`protoc exited with status ${run.status}`);
  const made = listFiles(OUT_DIR).map((f) => f.slice(ROOT.length + 1));
  process.stdout.write(`gen-proto: ${protos.join(", ")} -> ${made.join(", ")}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
