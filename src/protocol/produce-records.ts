/**
 * Records given one by one in a `produce` request, for clients that do not build RecordBatch bytes;
 * the broker builds the batch. Keys, values and header values may be:
 * - a byte string (CBOR): taken as it is;
 * - a text string: its UTF-8 bytes (also in JSON: a string here is text, not base64);
 * - `{ "base64": string }`: bytes, for binary data in JSON frames;
 * - `null` (or absent, for key): no bytes; a null value is a tombstone for compacted topics.
 * Headers are a list of `{ key: string, value }` (order and repeated keys kept), or a map
 * `{ [key]: value }` for convenience.
 *
 * ```
 * Record =>
 *   key?: bytes | string | {base64} | null
 *   value: bytes | string | {base64} | null
 *   headers?: [{ key: string, value: bytes | string | {base64} | null }] | { [key]: value }
 *   timestamp?: int64 ≥ 0       ms since the epoch; absent: the broker's clock at append
 * ```
 *
 * @example
 * ```ts
 * import { readProduceRecord } from "./produce-records.ts";
 * readProduceRecord({ key: "user-1", value: { base64: "AAE=" }, headers: { trace: "abc" } }, "records[0]");
 * // { key: bytes of "user-1", value: Uint8Array [0, 1], headers: [{ key: "trace", value: bytes of "abc" }], timestamp: undefined }
 * ```
 * @module
 */
import { decodeBase64 } from "./base64.ts";
import { fieldPath, Fields, INT53_MAX, invalidField, isPlainMap, readBytesValue } from "./fields.ts";

/** One record header. Kafka header keys are strings; values are bytes or null. */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** One record of a per-record produce, with text already turned into UTF-8 bytes. */
export interface ProduceRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  /** Milliseconds since the epoch; `undefined` lets the broker stamp its own time. */
  timestamp: number | undefined;
}

const utf8 = new TextEncoder();
const EXPECTED = "bytes, a string, {base64: string} or null";

/**
 * Reads a record key, value or header value (see the module doc for the accepted forms).
 *
 * @example
 * ```ts
 * readRecordBytes("hi", "records[0].value");            // Uint8Array [104, 105]
 * readRecordBytes({ base64: "aGk=" }, "records[0].value"); // Uint8Array [104, 105]
 * ```
 */
export function readRecordBytes(value: unknown, path: string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return utf8.encode(value);
  if (value instanceof Uint8Array) return readBytesValue(value, path);
  if (isPlainMap(value)) {
    const f = Fields.of(value, path);
    const text = f.get("base64");
    if (typeof text !== "string") throw invalidField(f.pathOf("base64"), "a base64 string", text);
    const bytes = decodeBase64(text);
    if (bytes === undefined) throw invalidField(f.pathOf("base64"), "a base64 string", text);
    return bytes;
  }
  throw invalidField(path, EXPECTED, value);
}

/**
 * Reads one record of a per-record produce.
 *
 * @example
 * ```ts
 * readProduceRecord({ value: "hello", timestamp: 1700000000000 }, "records[0]");
 * ```
 */
export function readProduceRecord(item: unknown, path: string): ProduceRecord {
  const f = Fields.of(item, path);
  if (!Object.hasOwn(f.raw, "value")) throw invalidField(f.pathOf("value"), EXPECTED, undefined);
  return {
    key: readRecordBytes(f.get("key"), f.pathOf("key")),
    value: readRecordBytes(f.get("value"), f.pathOf("value")),
    headers: readHeaders(f.get("headers"), f.pathOf("headers")),
    timestamp: f.has("timestamp") ? f.int("timestamp", 0, INT53_MAX) : undefined,
  };
}

/** Headers as a list of `{key, value}` or a map; absent or null: none. */
function readHeaders(value: unknown, path: string): RecordHeader[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const h = Fields.of(item, fieldPath(path, i));
      return { key: h.string("key"), value: readRecordBytes(h.get("value"), h.pathOf("value")) };
    });
  }
  if (isPlainMap(value)) {
    return Object.keys(value).map((key) => ({ key, value: readRecordBytes(value[key], fieldPath(path, key)) }));
  }
  throw invalidField(path, "a list of {key, value} or a map", value);
}
