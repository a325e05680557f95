/**
 * Encodes records into Kafka's RecordBatch v2 (magic 2), byte for byte as Kafka's producer does,
 * and re-exports the decoder ({@link decodeRecordBatch}) so that both sides have one entry point.
 *
 * Encoding computes every size first and writes into one preallocated `Uint8Array`: it is on the
 * path of every produce request.
 *
 * @example
 * ```ts
 * const bytes = encodeRecordBatchSync({ records: [{ key: null, value: new TextEncoder().encode("hi") }] });
 * const batch = decodeRecordBatchSync(bytes);
 * batch.records[0]!.offset; // 0
 * ```
 * @module
 */
import { BATCH, batchAttributes, COMPRESSION, type CompressionName, type TimestampTypeName } from "./batch-header.ts";
import { assertSupportedCompression, compress } from "./compression.ts";
import { crc32c } from "./crc32c.ts";
import { writeInt16, writeInt32, writeInt64 } from "./int64.ts";
import { type RecordHeader, sizeOfRecordBody, writeRecord } from "./record.ts";
import { sizeOfVarint } from "./varint.ts";

export type { DecodedRecord, RecordHeader } from "./record.ts";
export {
  type DecodeBatchOptions,
  type DecodedBatch,
  decodeRecordBatch,
  decodeRecordBatches,
  decodeRecordBatchSync,
} from "./decode-record-batch.ts";

/**
 * A record to encode. A missing key is a null key; a missing timestamp is the batch's `now`.
 *
 * @example
 * ```ts
 * const r: RecordInput = { key: utf8("user-1"), value: null, headers: [{ key: "why", value: null }] }; // a tombstone
 * ```
 */
export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch (CreateTime). */
  timestamp?: number;
}

/**
 * What {@link encodeRecordBatch} builds; every field but `records` has Kafka's producer default.
 *
 * @example
 * ```ts
 * const o: EncodeBatchOptions = { records: [{ value: utf8("hi") }], compression: "gzip", producerId: 7, producerEpoch: 0, baseSequence: 0 };
 * ```
 */
export interface EncodeBatchOptions {
  /** At least one record. */
  records: RecordInput[];
  /** Offset of the first record; 0 as a producer sends it, the broker assigns the real one. */
  baseOffset?: number;
  /** Default "none". */
  compression?: CompressionName;
  /**
   * Default "CreateTime". With "LogAppendTime" the maxTimestamp field holds the append time
   * (`now ?? Date.now()`), which every record reads back as its timestamp.
   */
  timestampType?: TimestampTypeName;
  /** Default -1 (no idempotent producer). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  /** Default -1 (set by the leader on append). */
  partitionLeaderEpoch?: number;
  /** The time for records without a timestamp; default `Date.now()`. */
  now?: number;
  transactional?: boolean;
  control?: boolean;
}

const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/** Sizes and timestamps worked out before anything is written. */
interface Plan {
  count: number;
  bodySizes: Int32Array;
  recordsSize: number;
  defaultTimestamp: number;
  baseTimestamp: number;
  maxTimestamp: number;
  attributes: number;
}

/**
 * Encodes a RecordBatch v2 with any supported compression (none or gzip). snappy, lz4 and zstd
 * reject with `EdgelogError("UNSUPPORTED_COMPRESSION_TYPE")`; malformed options with
 * `TypeError`/`RangeError`.
 *
 * @example
 * ```ts
 * const bytes = await encodeRecordBatch({
 *   compression: "gzip",
 *   records: [{ key: utf8("user-1"), value: utf8("clicked"), headers: [{ key: "trace", value: null }] }],
 * });
 * ```
 */
export async function encodeRecordBatch(o: EncodeBatchOptions): Promise<Uint8Array> {
  const compression = o.compression ?? "none";
  if (compression === "none") return encodeRecordBatchSync(o);
  const codec = codecNumber(compression);
  assertSupportedCompression(codec);
  const plan = planBatch(o);
  const records = new Uint8Array(plan.recordsSize);
  writeRecords(records, 0, plan, o.records);
  const packed = await compress(codec, records);
  const out = new Uint8Array(BATCH.HEADER_SIZE + packed.length);
  out.set(packed, BATCH.HEADER_SIZE);
  writeHeader(out, plan, o);
  return out;
}

/**
 * Encodes an uncompressed RecordBatch v2 synchronously, in one allocation. Any compression but
 * "none" is a `TypeError` (use {@link encodeRecordBatch}).
 *
 * @example
 * ```ts
 * const bytes = encodeRecordBatchSync({ baseOffset: 0, now: 1_700_000_000_000, records: [{ value: null }] });
 * bytes.length; // 61-byte header + 8-byte record = 69
 * ```
 */
export function encodeRecordBatchSync(o: EncodeBatchOptions): Uint8Array {
  if (o === null || typeof o !== "object") throw new TypeError("encodeRecordBatchSync() needs options with records");
  if ((o.compression ?? "none") !== "none") {
    throw new TypeError(`encodeRecordBatchSync() writes uncompressed batches only; use encodeRecordBatch() for ${o.compression}`);
  }
  const plan = planBatch(o);
  const out = new Uint8Array(BATCH.HEADER_SIZE + plan.recordsSize);
  writeRecords(out, BATCH.HEADER_SIZE, plan, o.records);
  writeHeader(out, plan, o);
  return out;
}

function codecNumber(name: string): number {
  const codec = (COMPRESSION as Record<string, number>)[name];
  if (codec === undefined || !Object.hasOwn(COMPRESSION, name)) throw new TypeError(`Unknown compression ${JSON.stringify(name)}`);
  return codec;
}

function planBatch(o: EncodeBatchOptions): Plan {
  if (o === null || typeof o !== "object") throw new TypeError("encodeRecordBatch() needs options with records");
  const records = o.records;
  if (!Array.isArray(records)) throw new TypeError("encodeRecordBatch() needs a records array");
  const count = records.length;
  if (count === 0) throw new RangeError("A record batch needs at least one record");
  if (count > INT32_MAX) throw new RangeError(`Too many records for one batch: ${count}`);
  checkInteger("baseOffset", o.baseOffset ?? 0, 0, Number.MAX_SAFE_INTEGER);
  checkInteger("producerId", o.producerId ?? -1, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInteger("producerEpoch", o.producerEpoch ?? -1, INT16_MIN, INT16_MAX);
  checkInteger("baseSequence", o.baseSequence ?? -1, INT32_MIN, INT32_MAX);
  checkInteger("partitionLeaderEpoch", o.partitionLeaderEpoch ?? -1, INT32_MIN, INT32_MAX);
  const timestampType = o.timestampType ?? "CreateTime";
  if (timestampType !== "CreateTime" && timestampType !== "LogAppendTime") {
    throw new TypeError(`Unknown timestamp type ${JSON.stringify(timestampType)}`);
  }
  const attributes = batchAttributes({
    compression: o.compression ?? "none",
    timestampType,
    transactional: o.transactional === true,
    control: o.control === true,
  });

  let now = o.now;
  if (now === undefined && (timestampType === "LogAppendTime" || records.some((r) => r?.timestamp === undefined))) now = Date.now();
  if (now !== undefined) checkInteger("now", now, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const defaultTimestamp = now ?? 0;

  const first = records[0];
  const baseTimestamp = first?.timestamp ?? defaultTimestamp;
  let maxTimestamp = -Infinity;
  const bodySizes = new Int32Array(count);
  let recordsSize = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    if (r === null || typeof r !== "object") throw new TypeError(`Record ${i} must be an object`);
    const timestamp = r.timestamp ?? defaultTimestamp;
    if (!Number.isSafeInteger(timestamp)) throw new RangeError(`Record ${i} timestamp ${timestamp} is not a safe integer`);
    const delta = timestamp - baseTimestamp;
    if (!Number.isSafeInteger(delta)) throw new RangeError(`Record ${i} timestamp ${timestamp} is too far from the first record's`);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    if (r.value === undefined) throw new TypeError(`Record ${i} needs a value (null for a tombstone)`);
    const body = sizeOfRecordBody(i, delta, r.key, r.value, r.headers);
    if (body > INT32_MAX) throw new RangeError(`Record ${i} is too large: ${body} bytes`);
    bodySizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  if (recordsSize > INT32_MAX - BATCH.HEADER_SIZE) throw new RangeError(`Records too large for one batch: ${recordsSize} bytes`);
  if (timestampType === "LogAppendTime") maxTimestamp = defaultTimestamp;
  return { count, bodySizes, recordsSize, defaultTimestamp, baseTimestamp, maxTimestamp, attributes };
}

function writeRecords(out: Uint8Array, pos: number, plan: Plan, records: readonly RecordInput[]): number {
  const { count, bodySizes, defaultTimestamp, baseTimestamp } = plan;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const delta = (r.timestamp ?? defaultTimestamp) - baseTimestamp;
    pos = writeRecord(out, pos, bodySizes[i]!, i, delta, r.key, r.value, r.headers);
  }
  return pos;
}

/** Writes the 61-byte header at the start of `out` (records already in place) and the CRC. */
function writeHeader(out: Uint8Array, plan: Plan, o: EncodeBatchOptions): void {
  writeInt64(out, BATCH.BASE_OFFSET, o.baseOffset ?? 0);
  writeInt32(out, BATCH.BATCH_LENGTH, out.length - BATCH.LOG_OVERHEAD);
  writeInt32(out, BATCH.PARTITION_LEADER_EPOCH, o.partitionLeaderEpoch ?? -1);
  out[BATCH.MAGIC] = BATCH.MAGIC_V2;
  writeInt16(out, BATCH.ATTRIBUTES, plan.attributes);
  writeInt32(out, BATCH.LAST_OFFSET_DELTA, plan.count - 1);
  writeInt64(out, BATCH.BASE_TIMESTAMP, plan.baseTimestamp);
  writeInt64(out, BATCH.MAX_TIMESTAMP, plan.maxTimestamp);
  writeInt64(out, BATCH.PRODUCER_ID, o.producerId ?? -1);
  writeInt16(out, BATCH.PRODUCER_EPOCH, o.producerEpoch ?? -1);
  writeInt32(out, BATCH.BASE_SEQUENCE, o.baseSequence ?? -1);
  writeInt32(out, BATCH.RECORDS_COUNT, plan.count);
  writeInt32(out, BATCH.CRC, crc32c(out, BATCH.ATTRIBUTES, out.length));
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}
