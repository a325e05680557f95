/**
 * The fixed 61-byte header of Kafka's RecordBatch v2 (magic 2), read and patched in place.
 * The log moves batches as bytes; this module is how it looks at them without decoding records.
 *
 * ```
 * RecordBatch =>
 *   baseOffset: int64            @0   (not covered by the CRC: assigned by the broker)
 *   batchLength: int32           @8   bytes after this field
 *   partitionLeaderEpoch: int32  @12  (not covered by the CRC)
 *   magic: int8                  @16  = 2
 *   crc: uint32                  @17  CRC-32C of attributes..end
 *   attributes: int16            @21  bits 0-2 compression, 3 timestamp type, 4 transactional,
 *                                     5 control, 6 delete horizon set
 *   lastOffsetDelta: int32       @23
 *   baseTimestamp: int64         @27
 *   maxTimestamp: int64          @35
 *   producerId: int64            @43
 *   producerEpoch: int16         @51
 *   baseSequence: int32          @53
 *   recordsCount: int32          @57
 *   records: [Record]            @61
 * ```
 *
 * @example
 * ```ts
 * const h = new BatchHeader(bytes, 0);
 * h.baseOffset = 42;          // assign offsets without touching records or CRC
 * console.log(h.lastOffset, h.recordCount, h.isCrcValid());
 * ```
 * @module
 */
import { crc32c } from "./crc32c.ts";
import { readInt16, readInt32, readInt64, writeInt16, writeInt32, writeInt64 } from "./int64.ts";

/** Byte positions of the header fields. */
export const BATCH = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
  /** Size of the header; records start here. */
  HEADER_SIZE: 61,
  /** baseOffset + batchLength: the bytes before `batchLength` starts counting. */
  LOG_OVERHEAD: 12,
  MAGIC_V2: 2,
} as const;

/** Compression codecs by their attribute value. */
export const COMPRESSION = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
/** A compression codec name. */
export type CompressionName = keyof typeof COMPRESSION;
/** Timestamp types by their attribute bit. */
export const TIMESTAMP_TYPE = { CreateTime: 0, LogAppendTime: 1 } as const;
/** A timestamp type name, as Kafka's `message.timestamp.type`. */
export type TimestampTypeName = keyof typeof TIMESTAMP_TYPE;

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const DELETE_HORIZON_BIT = 0x40;

/**
 * A view of the batch header that starts at `offset` in `bytes`. Reading is lazy; setters write
 * through to the bytes.
 *
 * @example
 * ```ts
 * for (let pos = 0; pos < bytes.length; ) {
 *   const h = new BatchHeader(bytes, pos);
 *   console.log(h.baseOffset, h.lastOffset);
 *   pos += h.sizeInBytes;
 * }
 * ```
 */
export class BatchHeader {
  constructor(readonly bytes: Uint8Array, readonly offset = 0) {}

  get baseOffset(): number {
    return readInt64(this.bytes, this.offset + BATCH.BASE_OFFSET);
  }
  set baseOffset(value: number) {
    writeInt64(this.bytes, this.offset + BATCH.BASE_OFFSET, value);
  }
  /** Bytes after the batchLength field. */
  get batchLength(): number {
    return readInt32(this.bytes, this.offset + BATCH.BATCH_LENGTH);
  }
  /** Bytes of the whole batch, header included. */
  get sizeInBytes(): number {
    return BATCH.LOG_OVERHEAD + this.batchLength;
  }
  get partitionLeaderEpoch(): number {
    return readInt32(this.bytes, this.offset + BATCH.PARTITION_LEADER_EPOCH);
  }
  set partitionLeaderEpoch(value: number) {
    writeInt32(this.bytes, this.offset + BATCH.PARTITION_LEADER_EPOCH, value);
  }
  get magic(): number {
    return (this.bytes[this.offset + BATCH.MAGIC]! << 24) >> 24;
  }
  get crc(): number {
    return readInt32(this.bytes, this.offset + BATCH.CRC) >>> 0;
  }
  get attributes(): number {
    return readInt16(this.bytes, this.offset + BATCH.ATTRIBUTES);
  }
  /** The compression codec number (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  get compression(): number {
    return this.attributes & COMPRESSION_MASK;
  }
  get timestampType(): TimestampTypeName {
    return this.attributes & TIMESTAMP_TYPE_BIT ? "LogAppendTime" : "CreateTime";
  }
  get isTransactional(): boolean {
    return (this.attributes & TRANSACTIONAL_BIT) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & CONTROL_BIT) !== 0;
  }
  get hasDeleteHorizon(): boolean {
    return (this.attributes & DELETE_HORIZON_BIT) !== 0;
  }
  get lastOffsetDelta(): number {
    return readInt32(this.bytes, this.offset + BATCH.LAST_OFFSET_DELTA);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** The offset after this batch. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  get baseTimestamp(): number {
    return readInt64(this.bytes, this.offset + BATCH.BASE_TIMESTAMP);
  }
  get maxTimestamp(): number {
    return readInt64(this.bytes, this.offset + BATCH.MAX_TIMESTAMP);
  }
  get producerId(): number {
    return readInt64(this.bytes, this.offset + BATCH.PRODUCER_ID);
  }
  get producerEpoch(): number {
    return readInt16(this.bytes, this.offset + BATCH.PRODUCER_EPOCH);
  }
  get baseSequence(): number {
    return readInt32(this.bytes, this.offset + BATCH.BASE_SEQUENCE);
  }
  get recordCount(): number {
    return readInt32(this.bytes, this.offset + BATCH.RECORDS_COUNT);
  }

  /** CRC-32C of attributes..end, as stored bytes are now. */
  computeCrc(): number {
    return crc32c(this.bytes, this.offset + BATCH.ATTRIBUTES, this.offset + this.sizeInBytes);
  }
  isCrcValid(): boolean {
    return this.computeCrc() === this.crc;
  }
  /** Recomputes and stores the CRC (after changing a field it covers). */
  updateCrc(): void {
    writeInt32(this.bytes, this.offset + BATCH.CRC, this.computeCrc());
  }
  /**
   * Stamps the batch with the broker's append time, as Kafka does for `message.timestamp.type=LogAppendTime`:
   * sets the timestamp-type bit and maxTimestamp, then the CRC.
   */
  setLogAppendTime(timestamp: number): void {
    const at = this.offset + BATCH.ATTRIBUTES;
    writeInt16(this.bytes, at, this.attributes | TIMESTAMP_TYPE_BIT);
    writeInt64(this.bytes, this.offset + BATCH.MAX_TIMESTAMP, timestamp);
    this.updateCrc();
  }
}

/**
 * Builds the attributes field.
 *
 * @example
 * ```ts
 * batchAttributes({ compression: "gzip" }); // 1
 * ```
 */
export function batchAttributes(options: {
  compression?: CompressionName;
  timestampType?: TimestampTypeName;
  transactional?: boolean;
  control?: boolean;
  deleteHorizon?: boolean;
}): number {
  let a = COMPRESSION[options.compression ?? "none"];
  if (options.timestampType === "LogAppendTime") a |= TIMESTAMP_TYPE_BIT;
  if (options.transactional) a |= TRANSACTIONAL_BIT;
  if (options.control) a |= CONTROL_BIT;
  if (options.deleteHorizon) a |= DELETE_HORIZON_BIT;
  return a;
}
