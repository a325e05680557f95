/**
 * The `edgelog` dispatcher: picks the subcommand from the table, answers `--help` and `--version`,
 * and turns every failure into one line on stderr with an exit status: 2 for a command line it
 * cannot run (unknown command or option), 1 for an error while running. It never prints a stack trace.
 *
 * @example
 * ```ts
 * const code = await runCli(["serve", "--config", "server.properties"], {
 *   out: (text) => console.log(text),
 *   err: (text) => console.error(text),
 * });
 * ```
 * @module
 */
import type { CliIo, CommandEntry } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { UsageError } from "./usage-error.ts";
import { VERSION } from "./version.ts";

/**
 * Runs the `edgelog` command line `argv` (the words after the program name) and resolves to the
 * exit status.
 *
 * @example
 * ```ts
 * await runCli(["--version"], io); // prints "edgelog 0.1.0", resolves to 0
 * await runCli(["nope"], io);      // prints "edgelog: unknown command nope (see 'edgelog --help')", resolves to 2
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.err(programHelp(commands));
      return 2;
    }
    if (first === "--help" || first === "-h" || first === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        io.out(programHelp(commands));
        return 0;
      }
      io.out((await find(commands, topic).load()).help);
      return 0;
    }
    if (first === "--version" || first === "-V") {
      io.out(`edgelog ${VERSION}`);
      return 0;
    }
    if (first.startsWith("-")) throw new UsageError(`unknown option ${first}`);
    const command = await find(commands, first).load();
    const optionWords = rest.indexOf("--") < 0 ? rest : rest.slice(0, rest.indexOf("--"));
    if (optionWords.includes("--help") || optionWords.includes("-h")) {
      io.out(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const program = error.command === undefined ? "edgelog" : `edgelog ${error.command}`;
      io.err(`${program}: ${oneLine(error.message)} (see '${program} --help')`);
      return 2;
    }
    io.err(errorLine(error));
    return 1;
  }
}

/**
 * The one line printed for an error that stops a command: `ERROR` and the first line of its message.
 *
 * @example
 * ```ts
 * errorLine(new EdgelogError("INVALID_CONFIG", "Invalid value abc for configuration num.partitions: Not a number"));
 * // "ERROR Invalid value abc for configuration num.partitions: Not a number"
 * ```
 */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `ERROR ${oneLine(message) || "Unknown error"}`;
}

function oneLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!.trim();
}

function find(commands: readonly CommandEntry[], name: string): CommandEntry {
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) throw new UsageError(`unknown command ${name}`);
  return entry;
}

function programHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: edgelog <command> [options]",
    "",
    "An event-log broker with Apache Kafka's semantics over WebSocket.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options:",
    "  -h, --help     Show this help; 'edgelog <command> --help' shows a command's",
    "  -V, --version  Print the version",
  ].join("\n");
}
