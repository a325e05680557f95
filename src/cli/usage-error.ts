/**
 * A command line the `edgelog` command cannot run: an unknown command or option, a missing value.
 * The CLI prints its message as one line with a pointer to `--help` and exits with status 2.
 *
 * @example
 * ```ts
 * throw new UsageError("unknown option --colour", "serve");
 * ```
 * @module
 */

/**
 * A command-line mistake; `command` names the subcommand whose `--help` explains the right form.
 *
 * @example
 * ```ts
 * try { parseArgs(["--nope"], spec, "serve"); } catch (e) { if (e instanceof UsageError) console.error(e.message); }
 * ```
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The subcommand whose help to point at, or undefined for the program's. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
