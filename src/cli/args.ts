/**
 * A small, strict command-line parser for edgelog's subcommands, in the style of Kafka's tools:
 * long options `--name value` or `--name=value`, short aliases `-n value`, boolean flags, options that
 * may repeat (`--override a=1 --override b=2`), positional arguments, and `--` to end the options.
 * Anything it does not know is a {@link UsageError}, never a guess.
 *
 * @example
 * ```ts
 * const args = parseArgs(["--config", "server.properties", "--override", "broker.id=1"], {
 *   options: { config: { type: "string", short: "c" }, override: { type: "string", multiple: true } },
 * }, "serve");
 * args.string("config");     // "server.properties"
 * args.strings("override");  // ["broker.id=1"]
 * ```
 * @module
 */
import { UsageError } from "./usage-error.ts";

/** One option a command accepts. */
export interface OptionSpec {
  /** "string" takes a value; "boolean" is a flag. */
  type: "string" | "boolean";
  /** May be given more than once (string options only); values are kept in order. */
  multiple?: boolean;
  /** A one-letter alias, without the dash. */
  short?: string;
}

/** What a command accepts. */
export interface ArgSpec {
  options: Readonly<Record<string, OptionSpec>>;
  /** The most positional arguments accepted (default 0). */
  maxPositionals?: number;
}

/**
 * The parsed command line.
 *
 * @example
 * ```ts
 * if (args.flag("help")) printHelp();
 * ```
 */
export class ParsedArgs {
  readonly #values: ReadonlyMap<string, string[] | true>;
  /** The arguments that are not options, in order. */
  readonly positionals: readonly string[];

  constructor(values: ReadonlyMap<string, string[] | true>, positionals: readonly string[]) {
    this.#values = values;
    this.positionals = positionals;
  }

  /** The value of a string option, or undefined when not given. */
  string(name: string): string | undefined {
    const v = this.#values.get(name);
    return Array.isArray(v) ? v[v.length - 1] : undefined;
  }

  /** Every value of a repeatable string option, in order. */
  strings(name: string): string[] {
    const v = this.#values.get(name);
    return Array.isArray(v) ? [...v] : [];
  }

  /** Whether a boolean flag was given. */
  flag(name: string): boolean {
    return this.#values.get(name) === true;
  }
}

/**
 * Parses `args` (the words after the subcommand) against `spec`. Throws {@link UsageError} naming
 * `command` for an unknown option, a missing value, a value given to a flag, a non-repeatable option
 * given twice, or too many positional arguments.
 *
 * @example
 * ```ts
 * parseArgs(["--colour"], { options: {} }, "serve"); // throws UsageError: unknown option --colour
 * ```
 */
export function parseArgs(args: readonly string[], spec: ArgSpec, command: string): ParsedArgs {
  const values = new Map<string, string[] | true>();
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) if (option.short) byShort.set(option.short, name);

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!Object.hasOwn(spec.options, name)) throw new UsageError(`unknown option ${eq < 0 ? arg : arg.slice(0, eq)}`, command);
    } else {
      name = arg.length === 2 ? byShort.get(arg[1]!) : undefined;
      if (name === undefined) throw new UsageError(`unknown option ${arg}`, command);
    }
    const option = spec.options[name]!;
    const shown = arg.startsWith("--") ? `--${name}` : arg;
    if (option.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`option ${shown} takes no value`, command);
      values.set(name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`option ${shown} needs a value`, command);
      value = args[++i]!;
    }
    const previous = values.get(name);
    if (Array.isArray(previous) && !option.multiple) throw new UsageError(`option ${shown} is given more than once`, command);
    values.set(name, [...(Array.isArray(previous) ? previous : []), value]);
  }

  const max = spec.maxPositionals ?? 0;
  if (positionals.length > max) {
    throw new UsageError(
      max === 0 ? `unexpected argument ${positionals[0]}` : `unexpected argument ${positionals[max]} (at most ${max} expected)`,
      command,
    );
  }
  return new ParsedArgs(values, positionals);
}
