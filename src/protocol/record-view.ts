/**
 * The per-record form of `fetch` replies and `records` pushes, for clients that cannot decode
 * RecordBatch v2: with `format: "records"` the broker decodes the stored batches and sends each
 * record as a map. It is the slow path (the broker decodes, decompresses and re-encodes every
 * record); the default `format: "batches"` sends the stored bytes as they are.
 *
 * ```
 * format?: "batches" | "records" = "batches"     request field of fetch and subscribe
 * valueEncoding?: "bytes" | "utf8" = "bytes"      how keys, values and header values are sent
 *                                                 with "records"; ignored with "batches"
 * RecordView =>
 *   offset: int64
 *   timestamp: int64
 *   key: bytes | string | null                    bytes (base64 in JSON), or a string with "utf8"
 *   value: bytes | string | null                  null: a tombstone
 *   headers: [{ key: string, value: bytes | string | null }]
 * ```
 * With "utf8", bytes that are not valid UTF-8 become U+FFFD, as `TextDecoder` does.
 *
 * @example
 * ```ts
 * import { readRecordFormat, readValueEncoding, recordView } from "./record-view.ts";
 * const f = Fields.of({ format: "records", valueEncoding: "utf8" });
 * readRecordFormat(f);  // "records"
 * readValueEncoding(f); // "utf8"
 * recordView({ offset: 5, timestamp: 1700000000000, key: null, value: utf8("hi"), headers: [] }, "utf8");
 * // { offset: 5, timestamp: 1700000000000, key: null, value: "hi", headers: [] }
 * ```
 * @module
 */
import type { DecodedRecord } from "../core/record/record.ts";
import type { Fields } from "./fields.ts";

/**
 * How `fetch` replies and `records` pushes carry records: stored batches (default) or one map per record.
 *
 * @example
 * ```ts
 * const format: RecordFormat = request.format; // "batches" | "records"
 * ```
 */
export type RecordFormat = "batches" | "records";

/**
 * How keys, values and header values of the "records" format are sent: bytes (default) or UTF-8 text.
 *
 * @example
 * ```ts
 * const encoding: ValueEncoding = "utf8"; // values arrive as strings
 * ```
 */
export type ValueEncoding = "bytes" | "utf8";

/**
 * A key, value or header value in the "records" format: bytes, text with "utf8", or null.
 *
 * @example
 * ```ts
 * const value: RecordViewData = typeof view.value === "string" ? view.value : null;
 * ```
 */
export type RecordViewData = Uint8Array | string | null;

/**
 * One header of a {@link RecordView}.
 *
 * @example
 * ```ts
 * const header: RecordViewHeader = { key: "trace", value: "abc" };
 * ```
 */
export interface RecordViewHeader {
  key: string;
  value: RecordViewData;
}

/**
 * One record as the "records" format sends it.
 *
 * @example
 * ```ts
 * const r: RecordView = { offset: 0, timestamp: 1700000000000, key: null, value: "hello", headers: [] };
 * ```
 */
export interface RecordView {
  offset: number;
  timestamp: number;
  key: RecordViewData;
  value: RecordViewData;
  headers: RecordViewHeader[];
}

const RECORD_FORMATS: readonly RecordFormat[] = ["batches", "records"];
const VALUE_ENCODINGS: readonly ValueEncoding[] = ["bytes", "utf8"];
// ignoreBOM keeps a leading U+FEFF in the text: the value is decoded as it is, not as a document.
const text = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Reads the optional `format` field of a request; absent or null is "batches".
 *
 * @example
 * ```ts
 * readRecordFormat(Fields.of({ format: "json" })); // throws INVALID_REQUEST naming format
 * ```
 */
export function readRecordFormat(fields: Fields): RecordFormat {
  return readChoice(fields, "format", RECORD_FORMATS);
}

/**
 * Reads the optional `valueEncoding` field of a request; absent or null is "bytes".
 *
 * @example
 * ```ts
 * readValueEncoding(Fields.of({})); // "bytes"
 * ```
 */
export function readValueEncoding(fields: Fields): ValueEncoding {
  return readChoice(fields, "valueEncoding", VALUE_ENCODINGS);
}

/**
 * A decoded record in the "records" format. With "bytes" the key, value and header values are the
 * record's own bytes (views, not copies); with "utf8" they are decoded as UTF-8.
 *
 * @example
 * ```ts
 * recordView(batch.records[0]!, "bytes").value; // Uint8Array
 * ```
 */
export function recordView(record: DecodedRecord, encoding: ValueEncoding): RecordView {
  const convert = encoding === "utf8" ? toText : asBytes;
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    key: convert(record.key),
    value: convert(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: convert(h.value) })),
  };
}

function readChoice<T extends string>(fields: Fields, key: string, choices: readonly T[]): T {
  if (!fields.has(key)) return choices[0]!;
  const value = fields.get(key);
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
  throw fields.fail(key, choices.map((c) => JSON.stringify(c)).join(" or "));
}

function toText(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : text.decode(bytes);
}

function asBytes(bytes: Uint8Array | null): Uint8Array | null {
  return bytes;
}
