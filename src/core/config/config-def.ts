/**
 * Typed config keys in the manner of Kafka's `ConfigDef`: each key has a type, a default, a line of
 * documentation and a validator, and parsing a string value yields a typed value or an
 * `INVALID_CONFIG` error worded as Kafka words it:
 * "Invalid value abc for configuration retention.ms: Not a number of type LONG".
 *
 * Kafka's LONG reaches 2^63-1; edgelog's numbers stay within ±2^53, so a LONG beyond that range is
 * read as `Number.MAX_SAFE_INTEGER` (or its negative): `Long.MAX_VALUE`, Kafka's "never", stays
 * "never".
 *
 * @example
 * ```ts
 * const key: ConfigKey = { name: "num.partitions", type: "int", default: "1", doc: "Partitions of a new topic", min: 1 };
 * parseConfigValue(key, "3"); // 3
 * parseConfigValue(key, "abc"); // throws INVALID_CONFIG
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * Kafka's value types, plus "enum" for a string from a fixed set.
 *
 * @example
 * ```ts
 * const type: ConfigType = "long";
 * ```
 */
export type ConfigType = "int" | "long" | "double" | "boolean" | "string" | "list" | "enum";

/**
 * A parsed value: number (int, long, double), boolean, string (string, enum) or string[] (list).
 *
 * @example
 * ```ts
 * const value: ConfigValue = ["compact", "delete"];
 * ```
 */
export type ConfigValue = number | boolean | string | string[];

/**
 * One config key: Kafka's name, type, default (as Kafka prints it) and validation.
 *
 * @example
 * ```ts
 * const key: ConfigKey = { name: "segment.ms", type: "long", default: "604800000", doc: "Roll after this long", min: 1 };
 * ```
 */
export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** The default as Kafka prints it (`"9223372036854775807"` for Long.MAX_VALUE); null when there is none. */
  default: string | null;
  /** One line of documentation. */
  doc: string;
  /** Smallest accepted number. */
  min?: number;
  /** Largest accepted number. */
  max?: number;
  /** For "enum", the accepted strings; for "list", the accepted items. */
  values?: readonly string[];
  /** Further validation: returns the reason a parsed value is wrong, or undefined when it is fine. */
  check?: (value: ConfigValue) => string | undefined;
}

/**
 * 2^63 - 1, as Kafka prints Long.MAX_VALUE.
 *
 * @example
 * ```ts
 * formatConfigValue("long", Number.MAX_SAFE_INTEGER) === LONG_MAX_TEXT; // true
 * ```
 */
export const LONG_MAX_TEXT = "9223372036854775807";

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN_BIG = -(2n ** 63n);
const LONG_MAX_BIG = 2n ** 63n - 1n;

/**
 * The error Kafka's ConfigException gives, on one line whatever the value holds.
 *
 * @example
 * ```ts
 * throw invalidConfig("num.partitions", "abc", "Not a number of type INT");
 * // "Invalid value abc for configuration num.partitions: Not a number of type INT"
 * ```
 */
export function invalidConfig(name: string, value: string, reason: string): EdgelogError {
  return new EdgelogError("INVALID_CONFIG", `Invalid value ${oneLine(value)} for configuration ${oneLine(name)}: ${reason}`, {
    details: { config: name, value },
  });
}

/**
 * Renders control characters visibly so that a message stays on one line.
 *
 * @example
 * ```ts
 * oneLine("a\nb"); // "a\\nb"
 * ```
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * Parses one string value of a key (trimmed first, as Kafka does) and validates it.
 *
 * @example
 * ```ts
 * parseConfigValue({ name: "cleanup.policy", type: "list", default: "delete", doc: "", values: ["compact", "delete"] }, "compact, delete");
 * // ["compact", "delete"]
 * ```
 */
export function parseConfigValue(key: ConfigKey, raw: string): ConfigValue {
  const value = parseTyped(key, raw);
  const reason = validate(key, value);
  if (reason !== undefined) throw invalidConfig(key.name, raw, reason);
  return value;
}

/**
 * The parsed default of a key; throws a `TypeError` when the key has none.
 *
 * @example
 * ```ts
 * defaultValue({ name: "num.partitions", type: "int", default: "1", doc: "" }); // 1
 * ```
 */
export function defaultValue(key: ConfigKey): ConfigValue {
  if (key.default === null) throw new TypeError(`Config ${key.name} has no default`);
  return parseConfigValue(key, key.default);
}

/**
 * Prints a parsed value as Kafka does: lists joined with ",", safe-integer extremes of a LONG as
 * ±(2^63-1).
 *
 * @example
 * ```ts
 * formatConfigValue("long", Number.MAX_SAFE_INTEGER); // "9223372036854775807"
 * formatConfigValue("list", ["compact", "delete"]); // "compact,delete"
 * ```
 */
export function formatConfigValue(type: ConfigType, value: ConfigValue): string {
  if (Array.isArray(value)) return value.join(",");
  if (type === "long" && value === Number.MAX_SAFE_INTEGER) return LONG_MAX_TEXT;
  if (type === "long" && value === Number.MIN_SAFE_INTEGER) return `-${LONG_MAX_TEXT}`;
  return String(value);
}

/**
 * Kafka's description of the accepted values, e.g. "[1,...]" or "[CreateTime, LogAppendTime]".
 *
 * @example
 * ```ts
 * validValues({ name: "segment.ms", type: "long", default: "1", doc: "", min: 1 }); // "[1,...]"
 * ```
 */
export function validValues(key: ConfigKey): string {
  if (key.values) return `[${key.values.join(", ")}]`;
  if (key.min !== undefined && key.max !== undefined) return `[${key.min},...,${key.max}]`;
  if (key.min !== undefined) return `[${key.min},...]`;
  if (key.max !== undefined) return `[...,${key.max}]`;
  return "";
}

function parseTyped(key: ConfigKey, raw: string): ConfigValue {
  const text = raw.trim();
  switch (key.type) {
    case "int": {
      if (!/^[+-]?\d+$/.test(text)) throw invalidConfig(key.name, raw, "Not a number of type INT");
      const n = Number(text);
      if (n < INT_MIN || n > INT_MAX) throw invalidConfig(key.name, raw, "Not a number of type INT");
      return n;
    }
    case "long": {
      if (!/^[+-]?\d+$/.test(text)) throw invalidConfig(key.name, raw, "Not a number of type LONG");
      const big = BigInt(text);
      if (big < LONG_MIN_BIG || big > LONG_MAX_BIG) throw invalidConfig(key.name, raw, "Not a number of type LONG");
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
      if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
      return Number(big);
    }
    case "double": {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(text)) {
        throw invalidConfig(key.name, raw, "Not a number of type DOUBLE");
      }
      const n = Number(text.replace(/[dDfF]$/, ""));
      if (!Number.isFinite(n)) throw invalidConfig(key.name, raw, "Not a number of type DOUBLE");
      return n;
    }
    case "boolean": {
      const lower = text.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      throw invalidConfig(key.name, raw, "Expected value to be either true or false");
    }
    case "list":
      return text === "" ? [] : text.split(/\s*,\s*/);
    case "string":
    case "enum":
      return text;
  }
}

function validate(key: ConfigKey, value: ConfigValue): string | undefined {
  if (typeof value === "number") {
    if (key.min !== undefined && value < key.min) return `Value must be at least ${key.min}`;
    if (key.max !== undefined && value > key.max) return `Value must be no more than ${key.max}`;
  }
  if (key.values) {
    const items = Array.isArray(value) ? value : [String(value)];
    for (const item of items) {
      if (!key.values.includes(item)) return `String must be one of: ${key.values.join(", ")}`;
    }
  }
  return key.check?.(value);
}
