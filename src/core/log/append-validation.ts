/**
 * The checks of an append that come before any byte is written, as Kafka's LogValidator and
 * UnifiedLog.analyzeAndValidateRecords make them: framing, magic and CRC of every batch
 * (`CORRUPT_MESSAGE`), each batch against `max.message.bytes` (`MESSAGE_TOO_LARGE`), the whole
 * append against `segment.bytes` (`RECORD_LIST_TOO_LARGE`), and record counts of producer batches.
 *
 * @example
 * ```ts
 * const checked = validateAppend(bytes, config, true); // throws EdgelogError on bad input
 * console.log(checked.batches.length, checked.recordCount);
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { BatchHeader } from "../record/batch-header.ts";
import { decodeRecordBatch } from "../record/record-batch.ts";
import { scanBatches } from "../record/scan-batches.ts";
import type { LogConfig } from "./log-config.ts";
import { MAX_RELATIVE_OFFSET } from "./segment.ts";

/** Batches that passed {@link validateAppend}. */
export interface ValidatedAppend {
  /** Header views into the appended bytes, in order. */
  batches: BatchHeader[];
  /** Records the batches claim. */
  recordCount: number;
  /** Largest maxTimestamp among the batches (-1 when none has one). */
  maxTimestamp: number;
}

/**
 * Validates `bytes` as whole RecordBatch v2 batches for an append under `config`. `fromProducer`
 * (a leader append) also requires each batch's record count to match its offset delta.
 *
 * @example
 * ```ts
 * validateAppend(new Uint8Array(3), defaultLogConfig, true); // throws CORRUPT_MESSAGE
 * ```
 */
export function validateAppend(bytes: Uint8Array, config: LogConfig, fromProducer: boolean): ValidatedAppend {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("append() takes the batches as a Uint8Array");
  if (bytes.length > config.segmentBytes) {
    throw new EdgelogError(
      "RECORD_LIST_TOO_LARGE",
      `Append of ${bytes.length} bytes exceeds the segment size of ${config.segmentBytes} bytes (segment.bytes)`,
    );
  }
  const scan = scanBatches(bytes, 0, bytes.length, { checkCrc: true });
  if (scan.problem !== undefined) throw new EdgelogError("CORRUPT_MESSAGE", `Invalid record batch: ${scan.problem}`);
  let recordCount = 0;
  let maxTimestamp = -1;
  for (const h of scan.batches) {
    // A replica copies what its leader accepted, whatever max.message.bytes says now (as Kafka).
    if (fromProducer && h.sizeInBytes > config.maxMessageBytes) {
      throw new EdgelogError(
        "MESSAGE_TOO_LARGE",
        `Record batch of ${h.sizeInBytes} bytes at offset ${h.offset} exceeds max.message.bytes (${config.maxMessageBytes})`,
      );
    }
    const count = h.recordCount;
    if (fromProducer && (count < 1 || count !== h.lastOffsetDelta + 1)) {
      throw new EdgelogError(
        "CORRUPT_MESSAGE",
        `Record batch at byte ${h.offset} claims ${count} records but an offset range of ${h.lastOffsetDelta + 1}`,
      );
    }
    recordCount += count;
    if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
  }
  return { batches: scan.batches, recordCount, maxTimestamp };
}

/**
 * Gives the batches consecutive offsets from `logEndOffset` by patching each base offset in place
 * (the CRC does not cover it), as a leader does.
 *
 * @example
 * ```ts
 * assignOffsets(validateAppend(bytes, config, true).batches, log.logEndOffset);
 * ```
 */
export function assignOffsets(batches: readonly BatchHeader[], logEndOffset: number): void {
  let next = logEndOffset;
  for (const h of batches) {
    h.baseOffset = next;
    next = h.lastOffset + 1;
  }
}

/**
 * Checks that a replica append keeps offsets increasing from the log end (gaps are allowed: a
 * compacted leader log has them); otherwise `INVALID_REQUEST` with `details.logEndOffset`.
 *
 * @example
 * ```ts
 * checkReplicaOffsets(batches, log.logEndOffset, "orders-0");
 * ```
 */
export function checkReplicaOffsets(batches: readonly BatchHeader[], logEndOffset: number, name: string): void {
  let previous = logEndOffset - 1;
  for (const h of batches) {
    if (h.baseOffset <= previous) {
      throw new EdgelogError("INVALID_REQUEST", `Out of order offsets in a replica append to ${name}: batch at ${h.baseOffset} after ${previous}`, {
        details: { logEndOffset },
      });
    }
    previous = h.lastOffset;
  }
}

/** Inputs of {@link placeBatches}. */
export interface PlaceOptions {
  /** A leader append (assign offsets) or a replica append (check them). */
  assign: boolean;
  logEndOffset: number;
  /** `<topic>-<partition>`, for messages. */
  name: string;
  now: number;
  /** Stamp `now` as LogAppendTime on every batch. */
  logAppendTime: boolean;
  /** Stamp this partitionLeaderEpoch on every batch. */
  leaderEpoch: number | undefined;
  /** Largest maxTimestamp of the batches as produced. */
  maxTimestamp: number;
}

/**
 * Gives validated batches their place in the log, patching their headers in place: offsets
 * (assigned or checked), LogAppendTime and leader epoch. Returns the offset range, the append time
 * (-1 with CreateTime) and the largest timestamp as stored.
 *
 * @example
 * ```ts
 * const { first, last } = placeBatches(checked.batches, { assign: true, logEndOffset: 42, name: "t-0", now: Date.now(), logAppendTime: false, leaderEpoch: undefined, maxTimestamp: checked.maxTimestamp });
 * ```
 */
export function placeBatches(
  batches: readonly BatchHeader[],
  options: PlaceOptions,
): { first: number; last: number; logAppendTime: number; maxTimestamp: number } {
  if (options.assign) assignOffsets(batches, options.logEndOffset);
  else checkReplicaOffsets(batches, options.logEndOffset, options.name);
  const first = batches[0]!.baseOffset;
  const last = batches[batches.length - 1]!.lastOffset;
  if (last - first > MAX_RELATIVE_OFFSET) {
    throw new EdgelogError("RECORD_LIST_TOO_LARGE", `Append spans offsets ${first}..${last}, more than one segment can index`);
  }
  let logAppendTime = -1;
  if (options.logAppendTime) {
    logAppendTime = options.now;
    for (const h of batches) h.setLogAppendTime(options.now);
  }
  if (options.leaderEpoch !== undefined) for (const h of batches) h.partitionLeaderEpoch = options.leaderEpoch;
  return { first, last, logAppendTime, maxTimestamp: logAppendTime >= 0 ? logAppendTime : options.maxTimestamp };
}

/**
 * Refuses records without a key for a compacted topic, as Kafka's LogValidator does: compaction
 * keeps the latest record per key, so a keyless record could never be cleaned. It decodes the
 * records, so the broker calls it for compacted topics only, never on the delete-policy hot path.
 * Framing errors are left to {@link validateAppend}.
 *
 * @example
 * ```ts
 * if (log.config.cleanupPolicy.includes("compact")) await requireRecordKeys(bytes, "users-0");
 * ```
 */
export async function requireRecordKeys(bytes: Uint8Array, name: string): Promise<void> {
  const { batches } = scanBatches(bytes, 0, bytes.length, { checkCrc: false });
  for (const h of batches) {
    if (h.isControl) continue;
    const decoded = await decodeRecordBatch(bytes.subarray(h.offset, h.offset + h.sizeInBytes), 0, { checkCrc: false });
    if (decoded.records.some((r) => r.key === null)) {
      throw new EdgelogError("INVALID_RECORD", `Compacted topic cannot accept message without key in topic partition ${name}`);
    }
  }
}
