/**
 * The `edgelog` program: runs {@link runCli} on the process's arguments and exits with its status.
 * Runs unchanged on Node (`npx tsx src/cli/main.ts`), Bun (`bun src/cli/main.ts`), Deno
 * (`deno run -A src/cli/main.ts`) and as the compiled binary (`dist/edgelog`).
 *
 * @example
 * ```sh
 * bun src/cli/main.ts serve --override listeners=ws://127.0.0.1:0
 * ```
 * @module
 */
import process from "node:process";
import type { CliIo } from "./command.ts";
import { errorLine, runCli } from "./run-cli.ts";

const io: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

/** Writes what is queued on stdout and stderr, then exits. */
async function exit(code: number): Promise<never> {
  await Promise.all([
    new Promise((resolve) => process.stdout.write("", resolve)),
    new Promise((resolve) => process.stderr.write("", resolve)),
  ]);
  process.exit(code);
}

const crash = (error: unknown): void => {
  io.err(errorLine(error));
  void exit(1);
};
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

// A promise chain rather than top-level await: the single executable is bundled as CommonJS with
// bytecode (scripts/build.ts), which starts faster and loads Node-only modules only when used.
void runCli(process.argv.slice(2), io).then(exit, crash);
