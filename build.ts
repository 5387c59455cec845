// Builds dist/rnacos: one executable with the server and the web console (web/) embedded.
// --bytecode with --minify starts fastest (measured: ~20 ms to readiness against ~60 ms plain);
// bytecode needs --format=esm because the entry uses top-level await.
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const root = import.meta.dir;
const outfile = join(root, "dist", "rnacos");
mkdirSync(join(root, "dist"), { recursive: true });

// The checkpoint worker is a second entry point: workers are separate bundles inside the executable.
// --splitting puts what is imported dynamically (Elysia and the HTTP route code, loaded after
// readiness: see src/http/listen.ts) in chunks of their own, so a start does not load them.
// file-type is left out: Elysia imports it lazily, only to check the type of an uploaded file
// declared with t.File({ type }), which rnacos never does; bundling it made the executable's code
// ~75 KB larger and start-up slower.
// --compile-jit-policy=8 raises the JIT's tier-up thresholds during start-up, when most code runs
// once and compiling it does not pay (measured: ~2 ms less to readiness); src/server.ts restores
// the normal policy right after start (Bun.unsafe.setJITPolicy(1)).
// No autoloading of .env or bunfig.toml from the directory the executable runs in: rnacos reads .env
// itself, and only when -e is not given (Bun's loading put .env in the environment, above -e FILE).
const args = ["build", "--compile", "--minify", "--bytecode", "--format=esm", "--splitting", "--compile-jit-policy=8", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig", "--external", "file-type", "src/main.ts", "src/store/checkpoint-worker.ts", "--outfile", outfile];
const started = performance.now();
const proc = Bun.spawn([process.execPath, ...args], { cwd: root, stdout: "inherit", stderr: "inherit" });
const code = await proc.exited;
if (code !== 0) {
  console.error(`build failed (bun ${args.join(" ")} exited ${code})`);
  process.exit(code);
}
console.log(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
