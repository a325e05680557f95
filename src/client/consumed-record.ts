/**
 * A record as a consumer delivers it: where it sits (topic, partition, offset), its timestamp, and
 * its key, value and headers as bytes, with helpers that read them as UTF-8 text or JSON.
 *
 * @example
 * ```ts
 * for await (const record of consumer) {
 *   console.log(record.offset, record.keyString(), record.valueString(), record.headerString("trace-id"));
 * }
 * ```
 * @module
 */
import type { DecodedRecord, RecordHeader } from "../core/record/record-batch.ts";

const text = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Bytes as UTF-8 text (invalid sequences become U+FFFD); `null` stays `null`.
 *
 * @example
 * ```ts
 * bytesToString(new Uint8Array([104, 105])); // "hi"
 * bytesToString(null);                       // null
 * ```
 */
export function bytesToString(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : text.decode(bytes);
}

/**
 * One consumed record. `key`, `value` and header values are bytes (`null` when absent; a `null`
 * value is a tombstone).
 *
 * @example
 * ```ts
 * const { topic, partition, offset, timestamp } = record;
 * const order = record.valueJson<{ total: number }>();
 * ```
 */
export class ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch: the producer's CreateTime, or the broker's LogAppendTime. */
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** In the order the producer wrote them; a key may repeat. */
  readonly headers: readonly RecordHeader[];

  /**
   * A record of `topic`/`partition` from a decoded batch record.
   *
   * @example
   * ```ts
   * const record = new ConsumedRecord("orders", 0, batch.records[0]!);
   * ```
   */
  constructor(topic: string, partition: number, record: DecodedRecord) {
    this.topic = topic;
    this.partition = partition;
    this.offset = record.offset;
    this.timestamp = record.timestamp;
    this.key = record.key;
    this.value = record.value;
    this.headers = record.headers;
  }

  /**
   * The key as UTF-8 text, or `null`.
   *
   * @example
   * ```ts
   * record.keyString(); // "user-42"
   * ```
   */
  keyString(): string | null {
    return bytesToString(this.key);
  }

  /**
   * The value as UTF-8 text, or `null` for a tombstone.
   *
   * @example
   * ```ts
   * record.valueString(); // '{"total":12}'
   * ```
   */
  valueString(): string | null {
    return bytesToString(this.value);
  }

  /**
   * The value parsed as JSON, or `null` for a tombstone; throws `SyntaxError` when it is not JSON.
   *
   * @example
   * ```ts
   * record.valueJson<{ total: number }>()?.total; // 12
   * ```
   */
  valueJson<T = unknown>(): T | null {
    const value = this.valueString();
    return value === null ? null : (JSON.parse(value) as T);
  }

  /**
   * The value of the first header named `key`: bytes, `null` for a header without a value, or
   * `undefined` when there is no such header.
   *
   * @example
   * ```ts
   * record.header("trace-id"); // Uint8Array [...]
   * ```
   */
  header(key: string): Uint8Array | null | undefined {
    for (const header of this.headers) if (header.key === key) return header.value;
    return undefined;
  }

  /**
   * The first header named `key` as UTF-8 text; `null` without a value, `undefined` when absent.
   *
   * @example
   * ```ts
   * record.headerString("source"); // "web"
   * ```
   */
  headerString(key: string): string | null | undefined {
    const value = this.header(key);
    return value === undefined ? undefined : bytesToString(value);
  }
}
