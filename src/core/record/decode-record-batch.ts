/**
 * Decodes Kafka RecordBatch v2 bytes into records with absolute offsets and timestamps.
 * Every input ends in a value or an `EdgelogError`: bad framing, magic or CRC and records that do
 * not add up are `CORRUPT_MESSAGE`; snappy/lz4/zstd are `UNSUPPORTED_COMPRESSION_TYPE`; records
 * that decompress past the limit are `MESSAGE_TOO_LARGE`.
 *
 * Import it through `record-batch.ts`, which re-exports it beside the encoder.
 *
 * @example
 * ```ts
 * const batch = await decodeRecordBatch(bytes);
 * for (const r of batch.records) console.log(r.offset, r.timestamp, r.value);
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { BATCH, BatchHeader, type TimestampTypeName } from "./batch-header.ts";
import { compressionName, decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from "./compression.ts";
import { type DecodedRecord, readRecord } from "./record.ts";
import { VarintReader } from "./varint.ts";

/**
 * A decoded batch: its header fields and its records.
 *
 * @example
 * ```ts
 * const b: DecodedBatch = await decodeRecordBatch(bytes);
 * const next = b.sizeInBytes; // where the following batch starts
 * ```
 */
export interface DecodedBatch {
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  /** The stored CRC, unsigned. */
  crc: number;
  /** Whether the stored CRC matches the bytes (always true unless `checkCrc: false` was passed). */
  crcValid: boolean;
  attributes: number;
  /** Codec number: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  timestampType: TimestampTypeName;
  isTransactional: boolean;
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Bytes of the whole batch, header included: where the next batch starts. */
  sizeInBytes: number;
  records: DecodedRecord[];
}

/**
 * Options of {@link decodeRecordBatch} and {@link decodeRecordBatches}; the limit applies to each batch.
 *
 * @example
 * ```ts
 * const options: DecodeBatchOptions = { maxDecompressedBytes: 8 << 20, checkCrc: true };
 * ```
 */
export interface DecodeBatchOptions {
  /** Most bytes a compressed batch's records may expand to; default 64 MiB. */
  maxDecompressedBytes?: number;
  /** Verify the CRC (default true); with false a bad CRC is reported in `crcValid` instead. */
  checkCrc?: boolean;
}

/** Smallest possible record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
const MIN_RECORD_SIZE = 7;

/**
 * Decodes the batch at `offset` in `bytes`, decompressing gzip records. Key, value and header
 * values of uncompressed records are views into `bytes`; copy them before changing `bytes`.
 *
 * @example
 * ```ts
 * const batch = await decodeRecordBatch(bytes, 0, { maxDecompressedBytes: 1 << 20 });
 * console.log(batch.baseOffset, batch.records.length, batch.sizeInBytes);
 * ```
 */
export async function decodeRecordBatch(bytes: Uint8Array, offset = 0, options: DecodeBatchOptions = {}): Promise<DecodedBatch> {
  const { header, batch } = readFrame(bytes, offset, options.checkCrc ?? true);
  const recordsStart = offset + BATCH.HEADER_SIZE;
  const end = offset + batch.sizeInBytes;
  if (batch.compression === 0) {
    batch.records = readRecords(new VarintReader(bytes, recordsStart, end), header, batch);
  } else {
    const records = await decompress(batch.compression, bytes.subarray(recordsStart, end), options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
    batch.records = readRecords(new VarintReader(records), header, batch);
  }
  return batch;
}

/**
 * Decodes an uncompressed batch at `offset` synchronously. A compressed batch is
 * `EdgelogError("UNSUPPORTED_COMPRESSION_TYPE")`: use {@link decodeRecordBatch} for those.
 *
 * @example
 * ```ts
 * const { records } = decodeRecordBatchSync(encodeRecordBatchSync({ records: [{ value: null }] }));
 * records[0]!.value; // null
 * ```
 */
export function decodeRecordBatchSync(bytes: Uint8Array, offset = 0, options: { checkCrc?: boolean } = {}): DecodedBatch {
  const { header, batch } = readFrame(bytes, offset, options.checkCrc ?? true);
  if (batch.compression !== 0) {
    const name = compressionName(batch.compression) ?? String(batch.compression);
    throw new EdgelogError("UNSUPPORTED_COMPRESSION_TYPE", `decodeRecordBatchSync() reads uncompressed batches only, this one is ${name}; use decodeRecordBatch()`);
  }
  batch.records = readRecords(new VarintReader(bytes, offset + BATCH.HEADER_SIZE, offset + batch.sizeInBytes), header, batch);
  return batch;
}

/**
 * Decodes every batch of concatenated RecordBatch bytes (a segment slice or a fetch response).
 * Bytes that do not make a whole batch at the end are `CORRUPT_MESSAGE`, like any other damage.
 *
 * @example
 * ```ts
 * const batches = await decodeRecordBatches(concat([a, b]));
 * batches.flatMap((b) => b.records).map((r) => r.offset);
 * ```
 */
export async function decodeRecordBatches(bytes: Uint8Array, options: DecodeBatchOptions = {}): Promise<DecodedBatch[]> {
  const batches: DecodedBatch[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    // Uncompressed batches take the synchronous path: no promise per batch.
    const compressed = bytes.length - pos > BATCH.ATTRIBUTES + 1 && (bytes[pos + BATCH.ATTRIBUTES + 1]! & 0x07) !== 0;
    const batch = compressed
      ? await decodeRecordBatch(bytes, pos, options)
      : decodeRecordBatchSync(bytes, pos, options);
    batches.push(batch);
    pos += batch.sizeInBytes;
  }
  return batches;
}

/** Checks framing, magic and CRC and reads the header fields; records are filled in later. */
function readFrame(bytes: Uint8Array, offset: number, checkCrc: boolean): { header: BatchHeader; batch: DecodedBatch } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("Record batch bytes must be a Uint8Array");
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(`Batch offset ${offset} is outside the ${bytes.length} bytes given`);
  }
  const remaining = bytes.length - offset;
  if (remaining < BATCH.HEADER_SIZE) {
    throw corrupt(`Truncated batch header at byte ${offset}: ${remaining} of ${BATCH.HEADER_SIZE} bytes`);
  }
  const header = new BatchHeader(bytes, offset);
  const length = header.batchLength;
  if (length < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) {
    throw corrupt(`Batch length ${length} at byte ${offset} is below the header size`);
  }
  if (length > remaining - BATCH.LOG_OVERHEAD) {
    throw corrupt(`Batch at byte ${offset} claims ${length + BATCH.LOG_OVERHEAD} bytes, ${remaining} left`);
  }
  if (header.magic !== BATCH.MAGIC_V2) {
    throw corrupt(`Unsupported magic ${header.magic} at byte ${offset}; only RecordBatch v2 is read`);
  }
  const crcValid = header.isCrcValid();
  if (checkCrc && !crcValid) {
    throw corrupt(`CRC mismatch in batch at byte ${offset}: stored ${hex(header.crc)}, computed ${hex(header.computeCrc())}`);
  }
  if (header.lastOffsetDelta < 0 || header.recordCount < 0) {
    throw corrupt(`Batch at byte ${offset} has a negative offset delta or record count`);
  }
  const batch: DecodedBatch = {
    baseOffset: header.baseOffset,
    lastOffset: header.lastOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    crc: header.crc,
    crcValid,
    attributes: header.attributes,
    compression: header.compression,
    timestampType: header.timestampType,
    isTransactional: header.isTransactional,
    isControl: header.isControl,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    sizeInBytes: BATCH.LOG_OVERHEAD + length,
    records: [],
  };
  return { header, batch };
}

function readRecords(reader: VarintReader, header: BatchHeader, batch: DecodedBatch): DecodedRecord[] {
  const count = header.recordCount;
  if (count > reader.remaining / MIN_RECORD_SIZE) {
    throw corrupt(`Batch at offset ${batch.baseOffset} claims ${count} records in ${reader.remaining} bytes`);
  }
  const override = batch.timestampType === "LogAppendTime" ? batch.maxTimestamp : undefined;
  const records: DecodedRecord[] = new Array(count);
  for (let i = 0; i < count; i++) records[i] = readRecord(reader, batch.baseOffset, batch.baseTimestamp, override);
  if (reader.remaining !== 0) {
    throw corrupt(`Batch at offset ${batch.baseOffset} has ${reader.remaining} bytes after its ${count} records`);
  }
  return records;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function corrupt(message: string): EdgelogError {
  return new EdgelogError("CORRUPT_MESSAGE", message);
}
