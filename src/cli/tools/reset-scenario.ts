/**
 * The `--reset-offsets` options of `consumer-groups`, as Kafka's tool reads them: exactly one
 * scenario (`--to-earliest`, `--to-latest`, `--to-current`, `--to-offset N`, `--shift-by N`,
 * `--to-datetime YYYY-MM-DDTHH:mm:SS.sss[zone]`, `--by-duration PnDTnHnMnS`) and the scope
 * (`--topic t` or `--topic t:0,1`, repeatable, or `--all-topics`).
 *
 * @example
 * ```ts
 * resetSpec(args, "consumer-groups"); // { type: "shift-by", shift: -2 }
 * resetTopics(["orders:0,1", "audit"], "consumer-groups"); // [{ topic: "orders", partitions: [0, 1] }, { topic: "audit" }]
 * ```
 * @module
 */
import type { WirePartitionsQuery, WireResetSpec } from "../../protocol/index.ts";
import type { ParsedArgs } from "../args.ts";
import { UsageError } from "../usage-error.ts";
import { parseInteger } from "./tool-args.ts";

/**
 * The scenario options, in the order Kafka names them in its error message.
 *
 * @example
 * ```ts
 * RESET_SCENARIOS.includes("shift-by"); // true
 * ```
 */
export const RESET_SCENARIOS = ["to-offset", "to-datetime", "by-duration", "to-earliest", "to-latest", "shift-by", "to-current"] as const;

/**
 * The one scenario given; none or several is a {@link UsageError}.
 *
 * @example
 * ```ts
 * resetSpec(parsed, "consumer-groups"); // { type: "to-earliest" }
 * ```
 */
export function resetSpec(args: ParsedArgs, command: string): WireResetSpec {
  const given = RESET_SCENARIOS.filter((s) => (s === "to-earliest" || s === "to-latest" || s === "to-current" ? args.flag(s) : args.string(s) !== undefined));
  if (given.length !== 1) {
    throw new UsageError(`Option '--reset-offsets' requires one of the following scenarios: ${RESET_SCENARIOS.map((s) => `--${s}`).join(", ")}`, command);
  }
  const scenario = given[0]!;
  const value = args.string(scenario) ?? "";
  switch (scenario) {
    case "to-earliest":
    case "to-latest":
    case "to-current":
      return { type: scenario };
    case "to-offset":
      return { type: "to-offset", offset: parseInteger(value, "--to-offset", command, { min: 0 }) };
    case "shift-by":
      return { type: "shift-by", shift: parseInteger(value, "--shift-by", command) };
    case "to-datetime":
      return { type: "to-datetime", timestamp: parseDateTime(value, command) };
    case "by-duration":
      return { type: "by-duration", durationMs: parseDuration(value, command) };
  }
}

/**
 * The partitions of `--topic` values: `topic` (all its partitions) or `topic:0,1,2`.
 *
 * @example
 * ```ts
 * resetTopics(["t:0,2"], "consumer-groups"); // [{ topic: "t", partitions: [0, 2] }]
 * ```
 */
export function resetTopics(values: readonly string[], command: string): WirePartitionsQuery[] {
  return values.map((value) => {
    const colon = value.indexOf(":");
    if (colon < 0) return { topic: value.trim() };
    const topic = value.slice(0, colon).trim();
    const partitions = value
      .slice(colon + 1)
      .split(",")
      .map((p) => parseInteger(p, `--topic ${value}`, command, { min: 0, max: 0x7fff_ffff }));
    return { topic, partitions: [...new Set(partitions)] };
  });
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Kafka's `--to-datetime` format, `YYYY-MM-DDTHH:mm:SS.sss` with an optional zone (`Z`, `+09:00`,
 * `-0500`); without one it is local time, as Kafka reads it. Milliseconds since the epoch.
 *
 * @example
 * ```ts
 * parseDateTime("2023-11-14T22:13:20.000Z", "consumer-groups"); // 1700000000000
 * ```
 */
export function parseDateTime(text: string, command: string): number {
  const match = DATE_TIME.exec(text.trim());
  const fail = (): never => {
    throw new UsageError(`Error parsing timestamp ${JSON.stringify(text)}: the format is 'YYYY-MM-DDTHH:mm:SS.sss' with an optional zone (Z, +09:00)`, command);
  };
  if (match === null) return fail();
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const millis = fraction === undefined ? 0 : Number(fraction.slice(1).padEnd(3, "0"));
  let ms: number;
  if (zone === undefined) {
    ms = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis).getTime();
  } else {
    ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis);
    if (zone !== "Z") {
      const sign = zone.startsWith("-") ? -1 : 1;
      const digits = zone.slice(1).replace(":", "");
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0")) * 60_000;
    }
  }
  return Number.isFinite(ms) ? ms : fail();
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/**
 * An ISO-8601 duration as Kafka's `--by-duration` takes it (`PnDTnHnMnS`), in milliseconds.
 *
 * @example
 * ```ts
 * parseDuration("PT1H30M", "consumer-groups"); // 5400000
 * ```
 */
export function parseDuration(text: string, command: string): number {
  const match = DURATION.exec(text.trim().toUpperCase());
  if (match === null || text.trim().toUpperCase() === "P" || text.trim().toUpperCase().endsWith("T")) {
    throw new UsageError(`Error parsing duration ${JSON.stringify(text)}: the format is 'PnDTnHnMnS' (e.g. PT1H, P1DT12H)`, command);
  }
  const [, days, hours, minutes, seconds] = match;
  return Math.round(
    Number(days ?? 0) * 86_400_000 + Number(hours ?? 0) * 3_600_000 + Number(minutes ?? 0) * 60_000 + Number(seconds ?? 0) * 1000,
  );
}
