/**
 * Kafka's `LineMessageReader`: how `console-producer` turns one input line into a record, set by
 * `--property`:
 *
 * - `parse.key=true` splits the line at the first `key.separator` (default a tab) into key and value;
 * - `parse.headers=true` first takes the headers before `headers.delimiter` (default a tab), pairs
 *   split by `headers.separator` (default `,`), key and value by `headers.key.separator` (default `:`);
 * - `null.marker` makes a key, value or header value that equals it null;
 * - a line without the separator is an error naming the line ("No key separator found on line
 *   number 3: 'abc'"), unless `ignore.error=true`, which takes the whole line as the value.
 *
 * @example
 * ```ts
 * const reader = new LineReader(new Map([["parse.key", "true"], ["key.separator", ":"]]));
 * reader.read("name:paul", 1); // { key: "name", value: "paul" }
 * ```
 * @module
 */
import type { ProducerMessage } from "../../client/message-input.ts";
import { isTrue } from "./key-values.ts";

/**
 * Reads input lines as records; see the module documentation.
 *
 * @example
 * ```ts
 * new LineReader(new Map()).read("hello", 1); // { key: null, value: "hello" }
 * ```
 */
export class LineReader {
  readonly #parseKey: boolean;
  readonly #keySeparator: string;
  readonly #parseHeaders: boolean;
  readonly #headersDelimiter: string;
  readonly #headersSeparator: string;
  readonly #headersKeySeparator: string;
  readonly #ignoreError: boolean;
  readonly #nullMarker: string | undefined;

  /**
   * A reader configured by `--property` settings; conflicting separators throw an `Error` with
   * Kafka's message ("headers.delimiter and headers.separator may not be equal").
   *
   * @example
   * ```ts
   * new LineReader(new Map([["parse.headers", "true"]]));
   * ```
   */
  constructor(properties: ReadonlyMap<string, string>) {
    this.#parseKey = isTrue(properties.get("parse.key"));
    this.#keySeparator = properties.get("key.separator") ?? "\t";
    this.#parseHeaders = isTrue(properties.get("parse.headers"));
    this.#headersDelimiter = properties.get("headers.delimiter") ?? "\t";
    this.#headersSeparator = properties.get("headers.separator") ?? ",";
    this.#headersKeySeparator = properties.get("headers.key.separator") ?? ":";
    this.#ignoreError = isTrue(properties.get("ignore.error"));
    this.#nullMarker = properties.get("null.marker");
    const distinct: [string, string | undefined, string, string | undefined][] = [
      ["headers.delimiter", this.#headersDelimiter, "headers.separator", this.#headersSeparator],
      ["headers.delimiter", this.#headersDelimiter, "headers.key.separator", this.#headersKeySeparator],
      ["headers.separator", this.#headersSeparator, "headers.key.separator", this.#headersKeySeparator],
      ["null.marker", this.#nullMarker, "key.separator", this.#keySeparator],
      ["null.marker", this.#nullMarker, "headers.separator", this.#headersSeparator],
      ["null.marker", this.#nullMarker, "headers.delimiter", this.#headersDelimiter],
      ["null.marker", this.#nullMarker, "headers.key.separator", this.#headersKeySeparator],
    ];
    for (const [a, va, b, vb] of distinct) if (va !== undefined && va === vb) throw new Error(`${a} and ${b} may not be equal`);
    if (this.#keySeparator === "") throw new Error("key.separator may not be empty");
  }

  /**
   * The record of input line `lineNumber` (counted from 1, for error messages).
   *
   * @example
   * ```ts
   * reader.read("k1\tv1", 1); // with parse.key=true: { key: "k1", value: "v1" }
   * ```
   */
  read(line: string, lineNumber: number): ProducerMessage {
    const headers = this.#split(this.#parseHeaders, line, 0, this.#headersDelimiter, "headers delimiter", lineNumber);
    const headerEnd = headers === undefined ? 0 : headers.length + this.#headersDelimiter.length;
    const key = this.#split(this.#parseKey, line, headerEnd, this.#keySeparator, "key separator", lineNumber);
    const keyEnd = key === undefined ? 0 : key.length + this.#keySeparator.length;
    const value = line.slice(headerEnd + keyEnd);
    const message: ProducerMessage = { key: this.#orNull(key ?? null), value: this.#orNull(value) };
    if (headers !== undefined && headers !== this.#nullMarker) message.headers = this.#headers(headers, lineNumber);
    return message;
  }

  #split(enabled: boolean, line: string, start: number, separator: string, what: string, lineNumber: number): string | undefined {
    if (!enabled) return undefined;
    const at = line.indexOf(separator, start);
    if (at < 0) {
      if (this.#ignoreError) return undefined;
      throw new Error(`No ${what} found on line number ${lineNumber}: '${line}'`);
    }
    return line.slice(start, at);
  }

  #headers(text: string, lineNumber: number): { key: string; value: string | null }[] {
    return text.split(this.#headersSeparator).map((pair) => {
      const at = pair.indexOf(this.#headersKeySeparator);
      if (at < 0) {
        if (this.#ignoreError) return { key: pair, value: null };
        throw new Error(`No header key separator found in pair '${pair}' on line number ${lineNumber}`);
      }
      const key = pair.slice(0, at);
      if (key === this.#nullMarker) throw new Error(`Header keys should not be equal to the null marker '${this.#nullMarker}' as they can't be null`);
      return { key, value: this.#orNull(pair.slice(at + this.#headersKeySeparator.length)) };
    });
  }

  #orNull(text: string | null): string | null {
    return text === null || text === this.#nullMarker ? null : text;
  }
}
