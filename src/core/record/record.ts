/**
 * One record inside a RecordBatch v2, in Kafka's layout:
 *
 * ```
 * Record =>
 *   length: varint              bytes after this field
 *   attributes: int8            unused, 0
 *   timestampDelta: varlong     timestamp - batch baseTimestamp
 *   offsetDelta: varint         offset - batch baseOffset
 *   keyLength: varint           -1 for a null key
 *   key: bytes
 *   valueLength: varint         -1 for a null value
 *   value: bytes
 *   headerCount: varint
 *   headers: [Header]
 * Header =>
 *   headerKeyLength: varint
 *   headerKey: UTF-8 bytes
 *   headerValueLength: varint   -1 for a null value
 *   headerValue: bytes
 * ```
 *
 * Writing is two-step so a batch can be built in one allocation: {@link sizeOfRecordBody} first,
 * then {@link writeRecord} into the preallocated bytes.
 *
 * @example
 * ```ts
 * const body = sizeOfRecordBody(0, 0, key, value, []);
 * const out = new Uint8Array(sizeOfVarint(body) + body);
 * writeRecord(out, 0, body, 0, 0, key, value, []);
 * readRecord(new VarintReader(out), 100, 1_700_000_000_000); // { offset: 100, ... }
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { sizeOfVarint, sizeOfVarlong, VarintReader, writeVarint, writeVarlong } from "./varint.ts";

/**
 * A record header: a UTF-8 string key and a byte value, which may be null.
 *
 * @example
 * ```ts
 * const header: RecordHeader = { key: "trace-id", value: new TextEncoder().encode("abc") };
 * ```
 */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/**
 * A record read from a batch, with its absolute offset and timestamp. `key`, `value` and header
 * values are views into the bytes the record was read from (no copy).
 *
 * @example
 * ```ts
 * const r: DecodedRecord = batch.records[0]!;
 * console.log(r.offset, r.timestamp, r.key === null ? "no key" : r.key.length);
 * ```
 */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Bytes of a record after its length varint. Checks the types of key, value and headers
 * (TypeError on a wrong one), so a bad input fails before anything is written.
 *
 * @example
 * ```ts
 * sizeOfRecordBody(0, 0, null, new Uint8Array(3), []); // 1+1+1+1+1+3+1 = 9
 * ```
 */
export function sizeOfRecordBody(
  offsetDelta: number,
  timestampDelta: number,
  key: Uint8Array | null | undefined,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] | null | undefined,
): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  size += sizeOfNullableBytes(key, "key");
  size += sizeOfNullableBytes(value, "value");
  if (headers != null && !Array.isArray(headers)) throw new TypeError("Record headers must be an array");
  const count = headers == null ? 0 : headers.length;
  size += sizeOfVarint(count);
  for (let i = 0; i < count; i++) {
    const header = headers![i]!;
    if (header === null || typeof header !== "object" || typeof header.key !== "string") {
      throw new TypeError(`Record header ${i} needs a string key`);
    }
    const keyBytes = utf8Length(header.key);
    size += sizeOfVarint(keyBytes) + keyBytes + sizeOfNullableBytes(header.value, `header ${JSON.stringify(header.key)} value`);
  }
  return size;
}

/**
 * Writes a whole record (length varint, then the body of `bodySize` bytes from
 * {@link sizeOfRecordBody} with the same arguments) at `pos`; returns the position after it.
 *
 * @example
 * ```ts
 * const body = sizeOfRecordBody(1, 5, null, value, headers);
 * pos = writeRecord(out, pos, body, 1, 5, null, value, headers);
 * ```
 */
export function writeRecord(
  out: Uint8Array,
  pos: number,
  bodySize: number,
  offsetDelta: number,
  timestampDelta: number,
  key: Uint8Array | null | undefined,
  value: Uint8Array | null,
  headers: readonly RecordHeader[] | null | undefined,
): number {
  pos = writeVarint(out, pos, bodySize);
  out[pos++] = 0; // attributes
  pos = writeVarlong(out, pos, timestampDelta);
  pos = writeVarint(out, pos, offsetDelta);
  pos = writeNullableBytes(out, pos, key);
  pos = writeNullableBytes(out, pos, value);
  const count = headers == null ? 0 : headers.length;
  pos = writeVarint(out, pos, count);
  for (let i = 0; i < count; i++) {
    const header = headers![i]!;
    pos = writeUtf8(out, pos, header.key);
    pos = writeNullableBytes(out, pos, header.value);
  }
  return pos;
}

/**
 * Reads one record at the reader's position. `timestampOverride` (the batch's maxTimestamp under
 * LogAppendTime) replaces every record's own timestamp, as Kafka does. A record whose fields do not
 * add up to its length, or that runs past the reader's end, is `EdgelogError("CORRUPT_MESSAGE")`.
 *
 * @example
 * ```ts
 * const r = new VarintReader(recordsBytes);
 * for (let i = 0; i < count; i++) records.push(readRecord(r, baseOffset, baseTimestamp));
 * ```
 */
export function readRecord(
  reader: VarintReader,
  baseOffset: number,
  baseTimestamp: number,
  timestampOverride?: number,
): DecodedRecord {
  const start = reader.pos;
  const length = reader.readVarint();
  if (length < 0 || length > reader.remaining) {
    throw corrupt(`Record at byte ${start} claims ${length} bytes, ${reader.remaining} left`);
  }
  const end = reader.pos + length;
  reader.readInt8(); // attributes: unused by Kafka
  const timestampDelta = reader.readVarlong();
  const offsetDelta = reader.readVarint();
  const key = readNullableBytes(reader, "key");
  const value = readNullableBytes(reader, "value");
  const count = reader.readVarint();
  // Each header takes at least two bytes: bound the loop by what the record can hold.
  if (count < 0 || count > (end - reader.pos) / 2) throw corrupt(`Record at byte ${start} claims ${count} headers`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const keyLength = reader.readVarint();
    if (keyLength < 0) throw corrupt(`Record at byte ${start} has a header key of length ${keyLength}`);
    const headerKey = decoder.decode(reader.readBytes(keyLength));
    headers.push({ key: headerKey, value: readNullableBytes(reader, "header value") });
  }
  if (reader.pos !== end) {
    throw corrupt(`Record at byte ${start} declares ${length} bytes but its fields take ${reader.pos - (end - length)}`);
  }
  return {
    offset: baseOffset + offsetDelta,
    timestamp: timestampOverride ?? baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/**
 * Bytes the UTF-8 encoding of `s` takes, with lone surrogates counted as U+FFFD (3 bytes), as
 * `TextEncoder` writes them.
 *
 * @example
 * ```ts
 * utf8Length("é"); // 2
 * ```
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let size = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      size += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else {
      size += 2;
    }
  }
  return size;
}

function writeUtf8(out: Uint8Array, pos: number, s: string): number {
  const length = utf8Length(s);
  pos = writeVarint(out, pos, length);
  if (length === s.length) {
    for (let i = 0; i < length; i++) out[pos + i] = s.charCodeAt(i);
  } else {
    encoder.encodeInto(s, out.subarray(pos, pos + length));
  }
  return pos + length;
}

function sizeOfNullableBytes(b: Uint8Array | null | undefined, what: string): number {
  if (b === null || b === undefined) return 1;
  if (!(b instanceof Uint8Array)) throw new TypeError(`Record ${what} must be a Uint8Array or null`);
  return sizeOfVarint(b.length) + b.length;
}

function writeNullableBytes(out: Uint8Array, pos: number, b: Uint8Array | null | undefined): number {
  if (b === null || b === undefined) {
    out[pos] = 0x01; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(out, pos, b.length);
  out.set(b, pos);
  return pos + b.length;
}

function readNullableBytes(reader: VarintReader, what: string): Uint8Array | null {
  const length = reader.readVarint();
  if (length === -1) return null;
  if (length < -1) throw corrupt(`Record ${what} has length ${length}`);
  return reader.readBytes(length);
}

function corrupt(message: string): EdgelogError {
  return new EdgelogError("CORRUPT_MESSAGE", message);
}
