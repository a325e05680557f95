/**
 * The table of `edgelog` subcommands. To add one, write `src/cli/commands/<name>.ts` exporting a
 * `Command` and add a row here; `edgelog --help` lists the rows in this order. Loaders use dynamic
 * imports of string literals, so `bun build --compile` bundles every command.
 *
 * @example
 * ```ts
 * const entry = COMMANDS.find((c) => c.name === "serve");
 * const command = await entry!.load();
 * ```
 * @module
 */
import type { CommandEntry } from "../command.ts";

/** Every subcommand, in the order `edgelog --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "serve", summary: "Run the broker", load: async () => (await import("./serve.ts")).serveCommand },
];
