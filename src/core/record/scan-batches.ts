/**
 * Walks a run of concatenated RecordBatch v2 byte ranges and checks each one's framing and CRC,
 * without decoding records. Used to validate produced bytes and to recover a segment after a crash.
 *
 * @example
 * ```ts
 * const scan = scanBatches(bytes);
 * if (scan.problem) console.log(`valid up to byte ${scan.validBytes}: ${scan.problem}`);
 * ```
 * @module
 */
import { BATCH, BatchHeader } from "./batch-header.ts";

/** What {@link scanBatches} found. */
export interface BatchScan {
  /** Headers of the valid batches, in order. */
  batches: BatchHeader[];
  /** Bytes from `start` covered by valid batches. */
  validBytes: number;
  /** Why scanning stopped before `end`, or undefined when every byte belonged to a valid batch. */
  problem?: string;
}

/**
 * Validates the batches in `bytes[start, end)` one by one and stops at the first that is torn,
 * too short, of another magic, or fails its CRC.
 *
 * @example
 * ```ts
 * const { batches, validBytes, problem } = scanBatches(segmentBytes, 0, segmentBytes.length, { checkCrc: true });
 * ```
 */
export function scanBatches(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  options: { checkCrc?: boolean } = {},
): BatchScan {
  const checkCrc = options.checkCrc ?? true;
  const batches: BatchHeader[] = [];
  let pos = start;
  while (pos < end) {
    const remaining = end - pos;
    if (remaining < BATCH.HEADER_SIZE) {
      return { batches, validBytes: pos - start, problem: `Truncated batch header at byte ${pos} (${remaining} bytes left)` };
    }
    const header = new BatchHeader(bytes, pos);
    const length = header.batchLength;
    if (length < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) {
      return { batches, validBytes: pos - start, problem: `Batch length ${length} at byte ${pos} is below the header size` };
    }
    if (header.magic !== BATCH.MAGIC_V2) {
      return { batches, validBytes: pos - start, problem: `Unsupported magic ${header.magic} at byte ${pos}` };
    }
    if (length + BATCH.LOG_OVERHEAD > remaining) {
      return { batches, validBytes: pos - start, problem: `Batch at byte ${pos} claims ${length + BATCH.LOG_OVERHEAD} bytes, ${remaining} left` };
    }
    if (header.lastOffsetDelta < 0 || header.recordCount < 0) {
      return { batches, validBytes: pos - start, problem: `Batch at byte ${pos} has a negative offset delta or record count` };
    }
    if (checkCrc && !header.isCrcValid()) {
      return { batches, validBytes: pos - start, problem: `CRC mismatch in batch at byte ${pos}` };
    }
    batches.push(header);
    pos += length + BATCH.LOG_OVERHEAD;
  }
  return { batches, validBytes: pos - start };
}
