/**
 * The "records" format of `fetch` and `subscribe` (src/protocol/record-view.ts): turns the stored
 * batches a log read returned into one record view per record, from the requested position on.
 * This is the slow path — every record is decoded (gzip decompressed) and re-encoded by the frame
 * codec — so it runs only when a client asks for it; the default format sends the bytes as they are.
 *
 * @example
 * ```ts
 * const read = await log.read(offset, { maxBytes });
 * const records = await recordViews(read.bytes, offset, "utf8");
 * ```
 * @module
 */
import { decodeRecordBatches } from "../core/record/record-batch.ts";
import { recordView, type RecordView, type ValueEncoding } from "../protocol/record-view.ts";
import { storedBatches } from "./credit.ts";

/**
 * The records of the whole stored batches in `bytes` whose offset is at least `from`, in offset
 * order. The first batch may start before `from` (a read starts at the batch holding it); its
 * earlier records are left out. Control batches (transaction markers) carry no records for
 * consumers and are left out too. Rejects with `CORRUPT_MESSAGE` when a batch fails its CRC or
 * does not decode, and `MESSAGE_TOO_LARGE` when one decompresses past the decoder's limit.
 *
 * @example
 * ```ts
 * const records = await recordViews(read.bytes.subarray(0, plan.end), position, "bytes");
 * records[0]?.offset; // ≥ position
 * ```
 */
export async function recordViews(bytes: Uint8Array, from: number, encoding: ValueEncoding): Promise<RecordView[]> {
  const whole = storedBatches(bytes);
  if (whole.length === 0) return [];
  const batches = await decodeRecordBatches(bytes.subarray(0, whole[whole.length - 1]!.end));
  const views: RecordView[] = [];
  for (const batch of batches) {
    if (batch.isControl || batch.lastOffset < from) continue;
    for (const record of batch.records) {
      if (record.offset >= from) views.push(recordView(record, encoding));
    }
  }
  return views;
}
