/**
 * Reading a segment: finding the batch that holds an offset through the offset index, returning
 * whole stored batches up to a byte limit in one positional read, and searching by timestamp
 * through the time index.
 *
 * @example
 * ```ts
 * const found = await readSegment(segment, 1042, 1 << 20, highWatermark, true);
 * if (found) send(found.bytes); // whole batches, as stored
 * ```
 * @module
 */
import { BATCH } from "../record/batch-header.ts";
import { readInt32, readInt64 } from "../record/int64.ts";
import { BatchCursor } from "./batch-cursor.ts";
import type { LogSegment } from "./segment.ts";
import { storageError } from "./storage-error.ts";
import { searchBatchForTimestamp } from "./timestamp-search.ts";

/** Whole batches read from a segment. */
export interface SegmentRead {
  bytes: Uint8Array;
  /** Base offset of the first batch, or the requested offset when `bytes` is empty. */
  firstOffset: number;
  /** Offset after the last batch, or the requested offset when `bytes` is empty. */
  nextOffset: number;
}

/**
 * Finds the batch that holds `offset` (the first whose last offset is ≥ it), walking headers from
 * the offset index's floor entry. Null when every batch of the segment ends before `offset`.
 *
 * @example
 * ```ts
 * const cursor = await translateOffset(segment, 1042);
 * if (cursor) console.log(`batch ${cursor.baseOffset}..${cursor.lastOffset} at byte ${cursor.position}`);
 * ```
 */
export async function translateOffset(segment: LogSegment, offset: number, limit = segment.size): Promise<BatchCursor | null> {
  const start = segment.offsetIndex.lookup(offset).position;
  const cursor = new BatchCursor(segment.file, start, limit);
  while (await cursor.next()) {
    if (cursor.lastOffset >= offset) return cursor;
  }
  if (cursor.problem === undefined || start === 0) return null;
  // An index entry that does not point at a batch start: walk from the segment start instead.
  const fromStart = new BatchCursor(segment.file, 0, limit);
  while (await fromStart.next()) {
    if (fromStart.lastOffset >= offset) return fromStart;
  }
  return null;
}

/**
 * Reads whole batches from the one holding `offset`: at most `maxBytes` (but the first batch even
 * when larger, with `minOneBatch`), and only batches whose last offset is below `maxOffset`. Null
 * when no batch of the segment reaches `offset`.
 *
 * @example
 * ```ts
 * const found = await readSegment(segment, 0, 1 << 20, Number.MAX_SAFE_INTEGER, true);
 * ```
 */
export async function readSegment(
  segment: LogSegment,
  offset: number,
  maxBytes: number,
  maxOffset: number,
  minOneBatch: boolean,
): Promise<SegmentRead | null> {
  segment.retain();
  try {
    const limit = segment.size;
    const cursor = await translateOffset(segment, offset, limit);
    if (cursor === null) return null;
    const empty = { bytes: new Uint8Array(0), firstOffset: offset, nextOffset: offset };
    if (cursor.lastOffset >= maxOffset) return empty;
    const firstSize = cursor.size;
    if (firstSize > maxBytes && !minOneBatch) return empty;
    const start = cursor.position;
    const length = Math.min(limit - start, Math.max(maxBytes, firstSize));
    const bytes = cursor.cached(start, length) ?? (await segment.file.read(start, length));
    let end = 0;
    let nextOffset = offset;
    while (end + BATCH.HEADER_SIZE <= bytes.length) {
      const size = readInt32(bytes, end + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
      const lastOffset = readInt64(bytes, end + BATCH.BASE_OFFSET) + readInt32(bytes, end + BATCH.LAST_OFFSET_DELTA);
      if (size < BATCH.HEADER_SIZE || end + size > bytes.length || lastOffset >= maxOffset) break;
      end += size;
      nextOffset = lastOffset + 1;
    }
    if (end === 0) return empty;
    return { bytes: bytes.subarray(0, end), firstOffset: cursor.baseOffset, nextOffset };
  } catch (cause) {
    throw storageError(`Cannot read ${segment.logPath}`, cause);
  } finally {
    segment.release();
  }
}

/**
 * The first record at or after `startOffset` and below `maxOffset` whose timestamp is ≥
 * `timestamp`: the time index gives a starting offset, the offset index its position, then the
 * batches are walked. Null when the segment has none.
 *
 * @example
 * ```ts
 * await searchSegmentByTimestamp(segment, Date.now() - 3_600_000, logStartOffset, highWatermark);
 * ```
 */
export async function searchSegmentByTimestamp(
  segment: LogSegment,
  timestamp: number,
  startOffset: number,
  maxOffset: number,
): Promise<{ offset: number; timestamp: number } | null> {
  segment.retain();
  try {
    const limit = segment.size;
    const from = Math.max(segment.timeIndex.lookup(timestamp).offset, startOffset);
    const cursor = new BatchCursor(segment.file, segment.offsetIndex.lookup(from).position, limit);
    while (await cursor.next()) {
      if (cursor.baseOffset >= maxOffset) return null;
      if (cursor.lastOffset < from || cursor.maxTimestamp < timestamp) continue;
      const batch = await segment.file.read(cursor.position, cursor.size);
      const found = await searchBatchForTimestamp(batch, timestamp, startOffset);
      if (found !== null && found.offset < maxOffset) return found;
    }
    return null;
  } catch (cause) {
    throw storageError(`Cannot search ${segment.logPath} by timestamp`, cause);
  } finally {
    segment.release();
  }
}
