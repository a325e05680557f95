/**
 * Kafka's `DefaultMessageFormatter`: how `console-consumer` prints a record, set by `--property`.
 * Fields come in this order, each followed by `key.separator` (default a tab) when more follow:
 * `CreateTime:<ms>` (`print.timestamp`), `Partition:<n>` (`print.partition`), `Offset:<n>`
 * (`print.offset`), the headers `k:v,k2:v2` or `NO_HEADERS` (`print.headers`, joined by
 * `headers.separator`), the key (`print.key`), the value (`print.value`, default true); the last
 * field is followed by `line.separator` (default a newline). A null key or value prints as `null.literal` (default
 * "null"). Bytes are written as they are, as Kafka does.
 *
 * @example
 * ```ts
 * const format = new MessageFormatter(new Map([["print.key", "true"], ["key.separator", "-"]]));
 * new TextDecoder().decode(format.format(record)); // "name-paul\n"
 * ```
 * @module
 */
import type { ConsumedRecord } from "../../client/consumed-record.ts";
import { isTrue } from "./key-values.ts";

const utf8 = new TextEncoder();

/**
 * Formats records as Kafka's console consumer prints them; see the module documentation.
 *
 * @example
 * ```ts
 * new MessageFormatter(new Map()).format(record); // the value's bytes and "\n"
 * ```
 */
export class MessageFormatter {
  readonly #printTimestamp: boolean;
  readonly #printPartition: boolean;
  readonly #printOffset: boolean;
  readonly #printHeaders: boolean;
  readonly #printKey: boolean;
  readonly #printValue: boolean;
  readonly #keySeparator: Uint8Array;
  readonly #lineSeparator: Uint8Array;
  readonly #headersSeparator: Uint8Array;
  readonly #nullLiteral: Uint8Array;
  /** Topics whose records carry LogAppendTime (message.timestamp.type); Kafka prints the type before the time. */
  readonly logAppendTimeTopics = new Set<string>();

  /**
   * A formatter configured by `--property` settings (unknown ones are ignored, as Kafka ignores them).
   *
   * @example
   * ```ts
   * new MessageFormatter(new Map([["print.offset", "true"]]));
   * ```
   */
  constructor(properties: ReadonlyMap<string, string>) {
    const flag = (key: string, fallback: boolean): boolean => (properties.has(key) ? isTrue(properties.get(key)) : fallback);
    this.#printTimestamp = flag("print.timestamp", false);
    this.#printPartition = flag("print.partition", false);
    this.#printOffset = flag("print.offset", false);
    this.#printHeaders = flag("print.headers", false);
    this.#printKey = flag("print.key", false);
    this.#printValue = flag("print.value", true);
    this.#keySeparator = utf8.encode(properties.get("key.separator") ?? "\t");
    this.#lineSeparator = utf8.encode(properties.get("line.separator") ?? "\n");
    this.#headersSeparator = utf8.encode(properties.get("headers.separator") ?? ",");
    this.#nullLiteral = utf8.encode(properties.get("null.literal") ?? "null");
  }

  /**
   * The bytes printed for one record.
   *
   * @example
   * ```ts
   * formatter.format(record); // e.g. "CreateTime:1700000000000\tPartition:0\tOffset:4\tnull\te\n" with every print.* on
   * ```
   */
  format(record: ConsumedRecord): Uint8Array {
    const parts: Uint8Array[] = [];
    const fields: (() => void)[] = [];
    if (this.#printTimestamp) fields.push(() => parts.push(utf8.encode(`${this.logAppendTimeTopics.has(record.topic) ? "LogAppendTime" : "CreateTime"}:${record.timestamp}`)));
    if (this.#printPartition) fields.push(() => parts.push(utf8.encode(`Partition:${record.partition}`)));
    if (this.#printOffset) fields.push(() => parts.push(utf8.encode(`Offset:${record.offset}`)));
    if (this.#printHeaders) fields.push(() => this.#headers(record, parts));
    if (this.#printKey) fields.push(() => parts.push(record.key ?? this.#nullLiteral));
    if (this.#printValue) fields.push(() => parts.push(record.value ?? this.#nullLiteral));
    fields.forEach((write, i) => {
      write();
      if (i < fields.length - 1) parts.push(this.#keySeparator);
    });
    if (fields.length > 0) parts.push(this.#lineSeparator);
    return concat(parts);
  }

  #headers(record: ConsumedRecord, parts: Uint8Array[]): void {
    if (record.headers.length === 0) {
      parts.push(utf8.encode("NO_HEADERS"));
      return;
    }
    record.headers.forEach((header, i) => {
      parts.push(utf8.encode(`${header.key}:`), header.value ?? this.#nullLiteral);
      if (i < record.headers.length - 1) parts.push(this.#headersSeparator);
    });
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
