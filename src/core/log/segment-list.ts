/**
 * Operations over a log's sorted list of segments: finding the segment of an offset by binary
 * search, reading on from it, searching by timestamp, and deleting several at once.
 *
 * @example
 * ```ts
 * const i = floorSegment(segments, 1042); // the segment whose base offset is the largest ≤ 1042
 * const found = await readSegments(segments, 1042, 1 << 20, highWatermark, true);
 * ```
 * @module
 */
import type { LogSegment } from "./segment.ts";
import { readSegment, searchSegmentByTimestamp, type SegmentRead } from "./segment-read.ts";

/**
 * Index of the last segment whose base offset is ≤ `offset` (0 when none is).
 *
 * @example
 * ```ts
 * floorSegment(segments, 0); // 0
 * ```
 */
export function floorSegment(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Reads whole batches from the segment holding `offset`, going on to later segments while a
 * segment has no batch reaching `offset` (gaps). Null when nothing at or after `offset` exists;
 * `"deleted"` when the segment to read left the log meanwhile (retention or truncation).
 *
 * @example
 * ```ts
 * const found = await readSegments(segments, offset, 1 << 20, log.highWatermark, true);
 * ```
 */
export async function readSegments(
  segments: readonly LogSegment[],
  offset: number,
  maxBytes: number,
  maxOffset: number,
  minOneBatch: boolean,
): Promise<SegmentRead | null | "deleted"> {
  for (let i = floorSegment(segments, offset); i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.deleted) return "deleted";
    const found = await readSegment(segment, offset, maxBytes, maxOffset, minOneBatch);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Kafka's ListOffsets by timestamp over the segments: the first segment whose largest timestamp
 * reaches `timestamp`, then its first record at or after it (at or after `startOffset`, below
 * `maxOffset`).
 *
 * @example
 * ```ts
 * await searchSegments(segments, Date.now() - 60_000, log.logStartOffset, log.highWatermark);
 * ```
 */
export async function searchSegments(
  segments: readonly LogSegment[],
  timestamp: number,
  startOffset: number,
  maxOffset: number,
): Promise<{ offset: number; timestamp: number } | null> {
  for (const segment of segments) {
    if (segment.deleted || segment.maxTimestamp < timestamp || segment.nextOffset <= startOffset) continue;
    if (segment.baseOffset >= maxOffset) break;
    const found = await searchSegmentByTimestamp(segment, timestamp, startOffset, maxOffset);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Marks segments deleted at once (so no new read starts on them), then removes their files as
 * their reads finish.
 *
 * @example
 * ```ts
 * await destroySegments(segments.slice(0, 2));
 * ```
 */
export async function destroySegments(segments: readonly LogSegment[]): Promise<void> {
  for (const s of segments) s.deleted = true;
  await Promise.all(segments.map((s) => s.destroy()));
}

/**
 * Splits the segment list for a truncation to `offset`: segments whose base offset is above it go
 * (the last kept one must then be cut at `offset`); when every segment starts above it, all go and
 * `create()` makes a fresh empty segment at `offset` (Kafka's truncateFullyAndStartAt).
 *
 * @example
 * ```ts
 * const { kept, dropped, fresh } = await cutSegments(segments, 42, () => LogSegment.create(fs, dir, 42, config, now));
 * ```
 */
export async function cutSegments(
  segments: readonly LogSegment[],
  offset: number,
  create: () => Promise<LogSegment>,
): Promise<{ kept: LogSegment[]; dropped: LogSegment[]; fresh: boolean }> {
  if (segments[0]!.baseOffset > offset) return { kept: [await create()], dropped: [...segments], fresh: true };
  return {
    kept: segments.filter((s) => s.baseOffset <= offset),
    dropped: segments.filter((s) => s.baseOffset > offset),
    fresh: false,
  };
}
