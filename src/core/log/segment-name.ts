/**
 * Names of a partition's segment files, as Kafka writes them: the segment's base offset as 20
 * zero-padded decimal digits followed by `.log`, `.index` or `.timeindex`.
 *
 * @example
 * ```ts
 * segmentFileName(368_769, ".log"); // "00000000000000368769.log"
 * parseSegmentFileName("00000000000000368769.index"); // { baseOffset: 368769, suffix: ".index" }
 * ```
 * @module
 */

/** The record data of a segment. */
export const LOG_SUFFIX = ".log";
/** The offset index of a segment. */
export const INDEX_SUFFIX = ".index";
/** The time index of a segment. */
export const TIME_INDEX_SUFFIX = ".timeindex";

/** A suffix of a segment file this log writes. */
export type SegmentSuffix = typeof LOG_SUFFIX | typeof INDEX_SUFFIX | typeof TIME_INDEX_SUFFIX;

const NAME = /^(\d{20})(\.log|\.index|\.timeindex)$/;

/**
 * The file name of a segment file: 20-digit zero-padded base offset and suffix.
 *
 * @example
 * ```ts
 * segmentFileName(0, ".timeindex"); // "00000000000000000000.timeindex"
 * ```
 */
export function segmentFileName(baseOffset: number, suffix: SegmentSuffix): string {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) throw new RangeError(`Base offset must be a non-negative integer, got ${baseOffset}`);
  return String(baseOffset).padStart(20, "0") + suffix;
}

/**
 * Reads a segment file name back, or returns null for any other name (checkpoints, temporary files,
 * Kafka's `.txnindex` and `.snapshot` files).
 *
 * @example
 * ```ts
 * parseSegmentFileName("00000000000000000042.log"); // { baseOffset: 42, suffix: ".log" }
 * parseSegmentFileName("leader-epoch-checkpoint"); // null
 * ```
 */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: SegmentSuffix } | null {
  const match = NAME.exec(name);
  if (match === null) return null;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, suffix: match[2] as SegmentSuffix };
}
