/**
 * Byte helpers of the black-box tests: RecordBatch v2 bytes built and read with
 * src/core/record/record-batch.ts, `bytes` fields in CBOR or JSON (base64), UTF-8 text.
 *
 * @example
 * ```ts
 * const batch = batchOf([{ key: utf8("k"), value: utf8("v") }]);
 * const records = await recordsOf(bytesField(reply.batches), 0);
 * text(records[0]!.value); // "v"
 * ```
 * @module
 */
import { decodeRecordBatches, encodeRecordBatchSync, type DecodedRecord, type RecordInput } from "../../src/core/record/record-batch.ts";
import { decodeBase64 } from "../../src/protocol/base64.ts";

/**
 * The bytes of a `bytes` field: a CBOR byte string as it is, a JSON base64 string decoded.
 *
 * @example
 * ```ts
 * bytesField("AQI="); // Uint8Array [1, 2]
 * ```
 */
export function bytesField(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") {
    const bytes = decodeBase64(value);
    if (bytes !== undefined) return bytes;
  }
  throw new TypeError(`Not a bytes field: ${JSON.stringify(value)}`);
}

/**
 * One uncompressed RecordBatch v2 of `records`, as a producer sends it (baseOffset 0).
 *
 * @example
 * ```ts
 * const batch = batchOf([{ key: utf8("k"), value: utf8("v") }]);
 * ```
 */
export function batchOf(records: RecordInput[], now?: number): Uint8Array {
  return encodeRecordBatchSync(now === undefined ? { records } : { records, now });
}

/**
 * Decodes concatenated stored batches and drops records below `fromOffset`.
 *
 * @example
 * ```ts
 * const records = await recordsOf(bytesField(reply.batches), 10);
 * ```
 */
export async function recordsOf(batches: Uint8Array, fromOffset = 0): Promise<DecodedRecord[]> {
  const decoded = await decodeRecordBatches(batches);
  return decoded.flatMap((b) => b.records).filter((r) => r.offset >= fromOffset);
}

/**
 * Concatenates byte arrays.
 *
 * @example
 * ```ts
 * concatBytes([a, b]).length === a.length + b.length; // true
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * UTF-8 bytes of a string.
 *
 * @example
 * ```ts
 * utf8("hi"); // Uint8Array [104, 105]
 * ```
 */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/**
 * The text of UTF-8 bytes (null stays null).
 *
 * @example
 * ```ts
 * text(record.value); // "hi"
 * ```
 */
export function text(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : textDecoder.decode(bytes);
}
