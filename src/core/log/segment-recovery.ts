/**
 * Re-validates a segment after an unclean stop, as Kafka's LogSegment.recover: every batch is
 * checked for framing and CRC (`scanBatches`) and for offsets that increase, the indexes are
 * rebuilt from the batches, and the file is cut at the first invalid byte.
 *
 * @example
 * ```ts
 * const { truncatedBytes, problem } = await recoverSegment(segment, previousLastOffset);
 * if (truncatedBytes > 0) console.warn(`cut ${truncatedBytes} bytes of ${segment.logPath}: ${problem}`);
 * ```
 * @module
 */
import { BATCH, BatchHeader } from "../record/batch-header.ts";
import { scanBatches } from "../record/scan-batches.ts";
import type { LogSegment } from "./segment.ts";
import { storageError } from "./storage-error.ts";

/** Bytes read per step while recovering (a batch larger than this is read whole). */
export const RECOVERY_CHUNK_BYTES = 8 * 1024 * 1024;

/** What {@link recoverSegment} did. */
export interface SegmentRecovery {
  /** Bytes of valid batches kept. */
  validBytes: number;
  /** Bytes cut from the end of the file. */
  truncatedBytes: number;
  /** Why bytes were cut, when they were. */
  problem?: string;
}

/**
 * Scans the whole segment, rebuilds its indexes and cuts it at the first invalid batch. A batch is
 * invalid when torn, of another magic, failing its CRC, or when its base offset is not above
 * `previousLastOffset` (the last offset before it, in this or an earlier segment).
 *
 * @example
 * ```ts
 * await recoverSegment(segment, segment.baseOffset - 1);
 * await segment.persistIndexes();
 * ```
 */
export async function recoverSegment(segment: LogSegment, previousLastOffset: number, chunkBytes = RECOVERY_CHUNK_BYTES): Promise<SegmentRecovery> {
  segment.resetIndexes();
  const fileSize = segment.file.size();
  let pos = 0;
  let lastOffset = previousLastOffset;
  let problem: string | undefined;
  let want = chunkBytes;
  try {
    scan: while (pos < fileSize) {
      const chunk = await segment.file.read(pos, Math.min(Math.max(want, chunkBytes), fileSize - pos));
      want = chunkBytes;
      const scan = scanBatches(chunk, 0, chunk.length, { checkCrc: true });
      for (const h of scan.batches) {
        if (h.baseOffset <= lastOffset || h.baseOffset < segment.baseOffset || !segment.canHold(h.lastOffset)) {
          problem = `Batch at byte ${pos + h.offset} has offsets ${h.baseOffset}..${h.lastOffset} after ${lastOffset} in segment ${segment.baseOffset}`;
          pos += h.offset;
          break scan;
        }
        segment.indexBatch(h.lastOffset, h.maxTimestamp, pos + h.offset, h.sizeInBytes);
        lastOffset = h.lastOffset;
      }
      pos += scan.validBytes;
      if (scan.problem === undefined) continue;
      const rest = chunk.length - scan.validBytes;
      const fileRest = fileSize - pos;
      if (rest < fileRest) {
        // The chunk ended inside a batch: read again from that batch, whole.
        if (rest < BATCH.HEADER_SIZE) continue;
        const h = new BatchHeader(chunk, scan.validBytes);
        const plausible = h.magic === BATCH.MAGIC_V2 && h.batchLength >= BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD;
        if (plausible && h.sizeInBytes > rest && h.sizeInBytes <= fileRest) {
          want = h.sizeInBytes;
          continue;
        }
      }
      problem = scan.problem.replace(/at byte (\d+)/, (_, at: string) => `at byte ${pos - scan.validBytes + Number(at)}`);
      break;
    }
  } catch (cause) {
    throw storageError(`Cannot recover ${segment.logPath}`, cause);
  }
  // As Kafka's recover: a last time index entry for the largest timestamp.
  segment.timeIndex.maybeAppend(segment.maxTimestamp, segment.offsetOfMaxTimestamp, true);
  const truncatedBytes = fileSize - pos;
  if (truncatedBytes > 0) {
    try {
      await segment.file.truncate(pos);
    } catch (cause) {
      throw storageError(`Cannot truncate ${segment.logPath} during recovery`, cause);
    }
    segment.unsynced = true;
  }
  segment.size = pos;
  return problem === undefined ? { validBytes: pos, truncatedBytes } : { validBytes: pos, truncatedBytes, problem };
}
