/**
 * `key=value` settings as Kafka's tools take them: repeated `--property`, `--producer-property`,
 * `--consumer-property` and `--config` words, `--producer-props a=1 b=2` lists, and Java
 * `.properties` files (`--producer.config`, `--consumer.config`). A word without `=` or without a key
 * is a usage error naming the option.
 *
 * @example
 * ```ts
 * const formatter = keyValues(["print.key=true", "key.separator=-"], "--property", "console-consumer");
 * formatter.get("key.separator"); // "-"
 * ```
 * @module
 */
import { parseProperties } from "../../core/config/properties.ts";
import { UsageError } from "../usage-error.ts";
import { readTextFile } from "./input-file.ts";

/**
 * The settings of `key=value` words, later words winning; the value is everything after the first `=`.
 *
 * @example
 * ```ts
 * keyValues(["a=1", "b=x=y"], "--config", "topics"); // Map { "a" => "1", "b" => "x=y" }
 * keyValues(["oops"], "--config", "topics");         // throws UsageError
 * ```
 */
export function keyValues(words: readonly string[], option: string, command: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new UsageError(`${option} expects key=value, got ${JSON.stringify(word)}`, command);
    out.set(word.slice(0, eq).trim(), word.slice(eq + 1));
  }
  return out;
}

/**
 * Reads a Java `.properties` file (`--producer.config`, `--consumer.config`, `--command-config`).
 *
 * @example
 * ```ts
 * const props = await readPropertiesFile("producer.properties"); // Map { "acks" => "all", ... }
 * ```
 */
export async function readPropertiesFile(path: string): Promise<Map<string, string>> {
  return parseProperties(await readTextFile(path));
}

/**
 * Settings from an optional properties file overlaid with `key=value` words (which take precedence,
 * as in Kafka's tools).
 *
 * @example
 * ```ts
 * await mergedSettings("producer.properties", ["acks=1"], "--producer-property", "console-producer");
 * ```
 */
export async function mergedSettings(file: string | undefined, words: readonly string[], option: string, command: string): Promise<Map<string, string>> {
  const settings = file === undefined ? new Map<string, string>() : await readPropertiesFile(file);
  for (const [key, value] of keyValues(words, option, command)) settings.set(key, value);
  return settings;
}

/**
 * Kafka's reading of a boolean setting: true only for "true" (any case, surrounding spaces ignored).
 *
 * @example
 * ```ts
 * isTrue("TRUE "); // true
 * isTrue("yes");   // false
 * ```
 */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === "true";
}
