/**
 * The shape of an `edgelog` subcommand: each lives in `src/cli/commands/<name>.ts`, exports a
 * {@link Command}, and is registered in the table of `src/cli/commands/index.ts`.
 *
 * @example
 * ```ts
 * export const serveCommand: Command = {
 *   help: "Usage: edgelog serve [--config <file>]\n...",
 *   async run(args, io) { io.out("listening"); return 0; },
 * };
 * ```
 * @module
 */

/** Where a command writes; each call is one or more whole lines (a newline is added). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * One subcommand.
 *
 * @example
 * ```ts
 * const code = await command.run(["--config", "server.properties"], io);
 * ```
 */
export interface Command {
  /** The full `--help` text, starting with a `Usage:` line. */
  readonly help: string;
  /**
   * Runs the command with the words after its name (without `--help`, which the dispatcher answers)
   * and resolves to the exit status. Throws `UsageError` for a malformed command line (status 2);
   * any other error is printed as one line (status 1).
   */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/**
 * A subcommand in the dispatch table: its name and one-line summary for the program's help, and a
 * loader, so that only the command that runs is imported.
 *
 * @example
 * ```ts
 * const entry: CommandEntry = { name: "serve", summary: "Run the broker", load: async () => (await import("./commands/serve.ts")).serveCommand };
 * ```
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}
