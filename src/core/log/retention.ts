/**
 * Which old segments retention deletes, as Kafka's UnifiedLog.deleteOldSegments decides it, on
 * plain numbers so it is easy to test: by `retention.ms`, by `retention.bytes`, and segments wholly
 * below the log start offset. Only closed segments entirely below the high watermark qualify, and
 * only a prefix of them (a segment goes only when every older one goes too).
 *
 * @example
 * ```ts
 * const n = segmentsToDelete({ segments, now: clock.now(), highWatermark, logStartOffset, retentionMs: 60_000, retentionBytes: -1, deletePolicy: true });
 * // delete segments[0..n)
 * ```
 * @module
 */

/** What retention needs to know of a segment. */
export interface RetentionSegment {
  baseOffset: number;
  sizeInBytes: number;
  /** Largest timestamp in the segment (or its file's mtime without timestamps). */
  largestTimestamp: number;
}

/** The inputs of {@link segmentsToDelete}. */
export interface RetentionInput {
  /** Every segment, oldest first; the last one is the active segment. */
  segments: readonly RetentionSegment[];
  now: number;
  highWatermark: number;
  logStartOffset: number;
  /** `retention.ms`; negative keeps forever. */
  retentionMs: number;
  /** `retention.bytes`; negative means no limit. */
  retentionBytes: number;
  /** Whether `cleanup.policy` includes "delete" (otherwise only log-start deletion applies). */
  deletePolicy: boolean;
}

/**
 * How many of the oldest segments to delete.
 *
 * @example
 * ```ts
 * segmentsToDelete({
 *   segments: [{ baseOffset: 0, sizeInBytes: 100, largestTimestamp: 0 }, { baseOffset: 10, sizeInBytes: 0, largestTimestamp: 0 }],
 *   now: 1000, highWatermark: 10, logStartOffset: 0, retentionMs: 500, retentionBytes: -1, deletePolicy: true,
 * }); // 1
 * ```
 */
export function segmentsToDelete(input: RetentionInput): number {
  const { segments } = input;
  // Closed segments whose every offset is below the high watermark.
  let candidates = 0;
  while (candidates < segments.length - 1 && segments[candidates + 1]!.baseOffset <= input.highWatermark) candidates++;

  let byStart = 0;
  while (byStart < candidates && segments[byStart + 1]!.baseOffset <= input.logStartOffset) byStart++;
  if (!input.deletePolicy) return byStart;

  let byTime = 0;
  if (input.retentionMs >= 0) {
    while (byTime < candidates && input.now - segments[byTime]!.largestTimestamp > input.retentionMs) byTime++;
  }

  let bySize = 0;
  if (input.retentionBytes >= 0) {
    let excess = -input.retentionBytes;
    for (const s of segments) excess += s.sizeInBytes;
    while (bySize < candidates && excess - segments[bySize]!.sizeInBytes >= 0) {
      excess -= segments[bySize]!.sizeInBytes;
      bySize++;
    }
  }
  return Math.max(byStart, byTime, bySize);
}
