/**
 * Which part of a log compaction may touch and how dirty it is, as Kafka's
 * `LogCleanerManager.cleanableOffsets` and `calculateCleanableBytes` decide it, on plain numbers so
 * it is easy to test.
 *
 * The log splits into a clean head (already compacted: below the cleaner checkpoint, the "first
 * dirty offset"), a dirty middle that may be compacted now, and an uncleanable tail: the active
 * segment, anything not yet below the high watermark, and (with `min.compaction.lag.ms`) the first
 * dirty segment holding a record younger than the lag, with everything after it. The boundaries are
 * segment boundaries; the cleaner rewrites only whole closed segments.
 *
 * @example
 * ```ts
 * const plan = planCleaning({ segments, logStartOffset: 0, logEndOffset: 90, highWatermark: 90, checkpoint: 40, now, minCompactionLagMs: 0 });
 * if (plan.dirtyRatio >= config.minCleanableDirtyRatio) compactSegments(segments.slice(0, plan.cleanableSegments));
 * ```
 * @module
 */

/** What planning needs to know of a segment. */
export interface PlanSegment {
  baseOffset: number;
  sizeInBytes: number;
  /** Largest record timestamp (or the file's mtime without timestamps). */
  largestTimestamp: number;
}

/** Inputs of {@link planCleaning}. */
export interface CleaningPlanInput {
  /** Every segment, oldest first; the last one is the active segment. */
  segments: readonly PlanSegment[];
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  /** The cleaner checkpoint (first dirty offset) from the last compaction, if any. */
  checkpoint: number | undefined;
  now: number;
  /** `min.compaction.lag.ms`. */
  minCompactionLagMs: number;
}

/** The outcome of {@link planCleaning}. */
export interface CleaningPlan {
  /** Where the dirty part starts: the checkpoint, or the log start when it is missing or out of range. */
  firstDirtyOffset: number;
  /** Base offset of the first segment that must not be compacted now. */
  firstUncleanableOffset: number;
  /** How many of the oldest segments may be rewritten: `segments[0, cleanableSegments)`. */
  cleanableSegments: number;
  /** Bytes of cleanable segments wholly below the first dirty offset. */
  cleanBytes: number;
  /** Bytes of cleanable segments that hold dirty offsets. */
  dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes), 0 for an empty range: compared with `min.cleanable.dirty.ratio`. */
  dirtyRatio: number;
}

/**
 * Plans one compaction.
 *
 * @example
 * ```ts
 * planCleaning({
 *   segments: [{ baseOffset: 0, sizeInBytes: 100, largestTimestamp: 5 }, { baseOffset: 10, sizeInBytes: 50, largestTimestamp: 9 }],
 *   logStartOffset: 0, logEndOffset: 12, highWatermark: 12, checkpoint: undefined, now: 10, minCompactionLagMs: 0,
 * }); // { firstDirtyOffset: 0, firstUncleanableOffset: 10, cleanableSegments: 1, cleanBytes: 0, dirtyBytes: 100, dirtyRatio: 1 }
 * ```
 */
export function planCleaning(input: CleaningPlanInput): CleaningPlan {
  const { segments, checkpoint } = input;
  const valid = checkpoint !== undefined && checkpoint >= input.logStartOffset && checkpoint <= input.logEndOffset;
  const firstDirtyOffset = valid ? checkpoint : input.logStartOffset;
  const lagHorizon = input.now - input.minCompactionLagMs;

  let cleanableSegments = 0;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const nextBase = segments[i + 1]!.baseOffset;
    if (nextBase > input.highWatermark) break;
    const dirty = nextBase > firstDirtyOffset;
    if (dirty && input.minCompactionLagMs > 0 && segment.largestTimestamp > lagHorizon) break;
    cleanableSegments = i + 1;
    if (dirty) dirtyBytes += segment.sizeInBytes;
    else cleanBytes += segment.sizeInBytes;
  }
  const firstUncleanableOffset = segments[cleanableSegments]?.baseOffset ?? input.logEndOffset;
  const total = cleanBytes + dirtyBytes;
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanableSegments,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
  };
}
