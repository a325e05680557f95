/**
 * Finds, inside one stored batch, the first record whose timestamp is at or after a target: the
 * last step of Kafka's ListOffsets by timestamp. Uncompressed records are walked in place (only
 * their length, timestamp and offset deltas are read); compressed batches are decoded.
 *
 * @example
 * ```ts
 * const found = await searchBatchForTimestamp(batchBytes, 1_700_000_000_000, logStartOffset);
 * if (found) console.log(found.offset, found.timestamp);
 * ```
 * @module
 */
import { BATCH, BatchHeader } from "../record/batch-header.ts";
import { decodeRecordBatch } from "../record/record-batch.ts";
import { VarintReader } from "../record/varint.ts";

/**
 * The first record of the batch in `batch` with timestamp ≥ `timestamp` and offset ≥ `minOffset`,
 * or null. With LogAppendTime every record carries the batch's maxTimestamp.
 *
 * @example
 * ```ts
 * await searchBatchForTimestamp(bytes, 0, 0); // the batch's first record
 * ```
 */
export async function searchBatchForTimestamp(
  batch: Uint8Array,
  timestamp: number,
  minOffset: number,
): Promise<{ offset: number; timestamp: number } | null> {
  const header = new BatchHeader(batch, 0);
  if (header.maxTimestamp < timestamp || header.lastOffset < minOffset) return null;
  const logAppendTime = header.timestampType === "LogAppendTime";
  try {
    if (header.compression === 0) {
      const reader = new VarintReader(batch, BATCH.HEADER_SIZE, Math.min(batch.length, header.sizeInBytes));
      for (let i = 0; i < header.recordCount && reader.remaining > 0; i++) {
        const length = reader.readVarint();
        const start = reader.pos;
        reader.readInt8();
        const timestampDelta = reader.readVarlong();
        const offsetDelta = reader.readVarint();
        const offset = header.baseOffset + offsetDelta;
        const recordTimestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
        if (recordTimestamp >= timestamp && offset >= minOffset) return { offset, timestamp: recordTimestamp };
        reader.pos = start;
        reader.readBytes(length);
      }
      return null;
    }
    const decoded = await decodeRecordBatch(batch, 0, { checkCrc: false });
    for (const record of decoded.records) {
      const recordTimestamp = logAppendTime ? header.maxTimestamp : record.timestamp;
      if (recordTimestamp >= timestamp && record.offset >= minOffset) return { offset: record.offset, timestamp: recordTimestamp };
    }
    return null;
  } catch {
    // Records that cannot be read (a codec edgelog lacks): answer at batch granularity.
    return { offset: Math.max(header.baseOffset, minOffset), timestamp: header.maxTimestamp };
  }
}
