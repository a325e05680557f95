/**
 * Re-encodes the records of a batch that survive log compaction, as Kafka's
 * `MemoryRecords.filterTo` does: the batch keeps its base offset, producer fields, leader epoch,
 * timestamp type, transactional flag and compression, and every record keeps its own offset (offset
 * deltas may now have gaps) and timestamp. With a delete horizon (KIP-534), the attributes get the
 * delete-horizon bit and `baseTimestamp` holds the horizon; record timestamp deltas are taken from
 * it, so each record still reads back its own timestamp.
 *
 * @example
 * ```ts
 * const batch = decodeRecordBatchSync(bytes);
 * const kept = batch.records.filter((r) => r.offset % 2 === 0);
 * const out = await encodeRetainedBatch(batch, kept, null);
 * ```
 * @module
 */
import { BATCH, batchAttributes, COMPRESSION } from "../record/batch-header.ts";
import { compress } from "../record/compression.ts";
import { crc32c } from "../record/crc32c.ts";
import type { DecodedBatch } from "../record/decode-record-batch.ts";
import { writeInt16, writeInt32, writeInt64 } from "../record/int64.ts";
import { type DecodedRecord, sizeOfRecordBody, writeRecord } from "../record/record.ts";
import { sizeOfVarint } from "../record/varint.ts";

/** The attribute bit that says `baseTimestamp` holds the delete horizon. */
export const DELETE_HORIZON_ATTRIBUTE = batchAttributes({ deleteHorizon: true });

/**
 * Builds a RecordBatch v2 from `batch`'s header fields and the retained `records` (at least one, in
 * offset order, taken from `batch`). `deleteHorizonMs` null writes no delete horizon.
 *
 * @example
 * ```ts
 * const stamped = await encodeRetainedBatch(batch, batch.records, clock.now() + config.deleteRetentionMs);
 * new BatchHeader(stamped).hasDeleteHorizon; // true
 * ```
 */
export async function encodeRetainedBatch(batch: DecodedBatch, records: readonly DecodedRecord[], deleteHorizonMs: number | null): Promise<Uint8Array> {
  const count = records.length;
  if (count === 0) throw new RangeError("A retained batch needs at least one record");
  const base = batch.baseOffset;
  const logAppendTime = batch.timestampType === "LogAppendTime";
  let maxTimestamp = logAppendTime ? batch.maxTimestamp : -1;
  if (!logAppendTime) for (const r of records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  const baseTimestamp = deleteHorizonMs ?? records[0]!.timestamp;

  const bodies = new Int32Array(count);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const body = sizeOfRecordBody(r.offset - base, r.timestamp - baseTimestamp, r.key, r.value, r.headers);
    bodies[i] = body;
    size += sizeOfVarint(body) + body;
  }
  let recordBytes: Uint8Array = new Uint8Array(size);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    pos = writeRecord(recordBytes, pos, bodies[i]!, r.offset - base, r.timestamp - baseTimestamp, r.key, r.value, r.headers);
  }
  if (batch.compression !== COMPRESSION.none) recordBytes = await compress(batch.compression, recordBytes);

  const out = new Uint8Array(BATCH.HEADER_SIZE + recordBytes.length);
  out.set(recordBytes, BATCH.HEADER_SIZE);
  let attributes = batch.attributes & ~DELETE_HORIZON_ATTRIBUTE;
  if (deleteHorizonMs !== null) attributes |= DELETE_HORIZON_ATTRIBUTE;
  writeInt64(out, BATCH.BASE_OFFSET, base);
  writeInt32(out, BATCH.BATCH_LENGTH, out.length - BATCH.LOG_OVERHEAD);
  writeInt32(out, BATCH.PARTITION_LEADER_EPOCH, batch.partitionLeaderEpoch);
  out[BATCH.MAGIC] = BATCH.MAGIC_V2;
  writeInt16(out, BATCH.ATTRIBUTES, attributes);
  writeInt32(out, BATCH.LAST_OFFSET_DELTA, records[count - 1]!.offset - base);
  writeInt64(out, BATCH.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(out, BATCH.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(out, BATCH.PRODUCER_ID, batch.producerId);
  writeInt16(out, BATCH.PRODUCER_EPOCH, batch.producerEpoch);
  writeInt32(out, BATCH.BASE_SEQUENCE, batch.baseSequence);
  writeInt32(out, BATCH.RECORDS_COUNT, count);
  writeInt32(out, BATCH.CRC, crc32c(out, BATCH.ATTRIBUTES, out.length));
  return out;
}
