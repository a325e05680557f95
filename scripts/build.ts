/**
 * Builds the single executable `dist/edgelog`: `bun build --compile --minify --bytecode
 * --compile-jit-policy=4 src/cli/main.ts`, then runs it once (`--version`) to make sure it starts.
 * The runtime adapters are loaded through dynamic imports chosen at run time, so the binary carries
 * the Node and Deno adapters without running them. `--bytecode` (which bundles as CommonJS) starts
 * the broker about twice as fast, and CommonJS keeps the Node adapter's imports (node:http, ws, ...)
 * unloaded on Bun: about 4 MiB less memory; modules reached only through `import()` (the other
 * commands, the cluster and etcd modules) are evaluated only when imported.
 *
 * `--compile-jit-policy=4` starts the executable with JavaScriptCore's tier-up thresholds scaled by 4:
 * the run-once start-up code stays in the interpreter instead of occupying the JIT threads (about
 * 2 ms of CPU less before the broker listens, on a 2-core machine). `src/cli/jit-policy.ts` restores
 * the normal policy once the broker listens, and at once for the other commands.
 *
 * @example
 * ```sh
 * npm run build          # bun scripts/build.ts
 * ./dist/edgelog serve
 * ```
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const root = join(import.meta.dirname, "..");
const entry = join(root, "src", "cli", "main.ts");
const extension = process.platform === "win32" ? ".exe" : "";
const outfile = join(root, "dist", `edgelog${extension}`);
/** The JIT policy the executable starts with (see the module comment); 2 gained less, 16 and 100 no more. */
const START_JIT_POLICY = 4;

/** The bun executable: this process when it runs on Bun, else the one from node_modules. */
function bunPath(): string {
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) return process.execPath;
  const local = join(root, "node_modules", ".bin", process.platform === "win32" ? "bun.exe" : "bun");
  return existsSync(local) ? local : "bun";
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8" });
  if (result.error) throw new Error(`Cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed with status ${result.status}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

try {
  const started = Date.now();
  // built beside the target and renamed over it, so that a concurrent build or a running binary never sees half a file
  const partial = join(root, "dist", `edgelog.${process.pid}.partial${extension}`);
  try {
    run(bunPath(), ["build", "--compile", "--minify", "--bytecode", `--compile-jit-policy=${START_JIT_POLICY}`, entry, "--outfile", partial]);
    renameSync(partial, outfile);
  } finally {
    rmSync(partial, { force: true });
  }
  const version = run(outfile, ["--version"]).trim();
  console.log(`built ${outfile} (${version}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
