/**
 * Command-line parsing for the Kafka-style tools: {@link parseArgs} after expanding abbreviated long
 * options, as Kafka's tools accept them (joptsimple and argparse4j take any unambiguous prefix:
 * `--max-message 10` is `--max-messages 10`), and the checks every tool repeats: exactly one action,
 * a required option, an integer.
 *
 * @example
 * ```ts
 * const args = parseToolArgs(["--bootstrap", "localhost:9092", "--list"], SPEC, "topics");
 * args.string("bootstrap-server"); // "localhost:9092"
 * ```
 * @module
 */
import { parseArgs, type ArgSpec, type ParsedArgs } from "../args.ts";
import { UsageError } from "../usage-error.ts";

/**
 * Replaces each abbreviated `--option` by the one option it is a prefix of; an exact name wins, a
 * prefix of several is a {@link UsageError}, and values of string options are left alone.
 *
 * @example
 * ```ts
 * expandAbbreviations(["--max-message", "10"], { options: { "max-messages": { type: "string" } } }, "verifiable-producer");
 * // ["--max-messages", "10"]
 * ```
 */
export function expandAbbreviations(args: readonly string[], spec: ArgSpec, command: string): string[] {
  const names = Object.keys(spec.options);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (!arg.startsWith("--")) {
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const given = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let name = given;
    if (!Object.hasOwn(spec.options, given) && given !== "") {
      const matches = names.filter((n) => n.startsWith(given));
      if (matches.length > 1) throw new UsageError(`option --${given} is ambiguous (${matches.map((m) => `--${m}`).join(", ")})`, command);
      if (matches.length === 1) name = matches[0]!;
    }
    out.push(eq < 0 ? `--${name}` : `--${name}${arg.slice(eq)}`);
    const option = spec.options[name];
    if (option?.type === "string" && eq < 0 && i + 1 < args.length) out.push(args[++i]!);
  }
  return out;
}

/**
 * {@link parseArgs} on the expanded arguments.
 *
 * @example
 * ```ts
 * parseToolArgs(["--describe", "--topic", "t"], { options: { describe: { type: "boolean" }, topic: { type: "string" } } }, "topics");
 * ```
 */
export function parseToolArgs(args: readonly string[], spec: ArgSpec, command: string): ParsedArgs {
  return parseArgs(expandAbbreviations(args, spec, command), spec, command);
}

/**
 * The one action flag given among `actions`; none or several is a {@link UsageError} worded as
 * Kafka's tools word it.
 *
 * @example
 * ```ts
 * oneAction(args, ["list", "describe", "create", "alter", "delete"], "topics"); // "list"
 * ```
 */
export function oneAction<T extends string>(args: ParsedArgs, actions: readonly T[], command: string): T {
  const given = actions.filter((a) => args.flag(a));
  if (given.length !== 1) {
    throw new UsageError(`Command must include exactly one action: ${actions.map((a) => `--${a}`).join(", ")}`, command);
  }
  return given[0]!;
}

/**
 * The value of a required string option; missing is a {@link UsageError}.
 *
 * @example
 * ```ts
 * required(args, "topic", "console-consumer"); // "orders"
 * ```
 */
export function required(args: ParsedArgs, name: string, command: string): string {
  const value = args.string(name);
  if (value === undefined || value === "") throw new UsageError(`missing required option --${name}`, command);
  return value;
}

/**
 * An integer option within `[min, max]`, or `fallback` when it is not given; anything else is a
 * {@link UsageError} naming the option.
 *
 * @example
 * ```ts
 * integerOption(args, "partitions", "topics", { min: 1 }); // 3, or undefined when not given
 * ```
 */
export function integerOption(
  args: ParsedArgs,
  name: string,
  command: string,
  range: { min?: number; max?: number } = {},
  fallback?: number,
): number | undefined {
  const text = args.string(name);
  if (text === undefined) return fallback;
  return parseInteger(text, `--${name}`, command, range);
}

/**
 * Parses a decimal integer within `[min, max]` (default: any safe integer); a {@link UsageError}
 * naming `what` otherwise.
 *
 * @example
 * ```ts
 * parseInteger("-1", "--throughput", "verifiable-producer", { min: -1 }); // -1
 * ```
 */
export function parseInteger(text: string, what: string, command: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const value = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = range.min !== undefined && range.max !== undefined ? ` between ${min} and ${max}` : range.min !== undefined ? ` ≥ ${min}` : "";
    throw new UsageError(`${what} expects an integer${bounds}, got ${JSON.stringify(text)}`, command);
  }
  return value;
}
