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
import { restoreJitPolicy } from "./jit-policy.ts";
import { errorLine, runCli } from "./run-cli.ts";

/** Lines through the process's streams, in order with any bytes a command writes to process.stdout itself. */
const streamIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

/**
 * Lines through the console, for `serve`: it prints a few log lines, and the time to its listening
 * line is its start-up time. On Bun, console.log writes the line at once, while creating
 * process.stdout costs about 2 ms of stream set-up; on Node, console.log writes to process.stdout
 * anyway. Commands that write record bytes to process.stdout keep {@link streamIo}: Bun does not keep
 * console writes and stream writes in order.
 */
const consoleIo: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

const argv = process.argv.slice(2);
const io = argv[0] === "serve" ? consoleIo : streamIo;
// `serve` keeps the executable's start-up JIT policy until it listens; other commands drop it now.
if (argv[0] !== "serve") restoreJitPolicy();

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
void runCli(argv, io).then(exit, crash);
