/**
 * The errors a partition log reports for offsets outside it and for a log that is gone.
 *
 * @example
 * ```ts
 * throw offsetOutOfRange("Offset 7 of orders-0 is below the log start offset 10", 10, 42, 42);
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * `OFFSET_OUT_OF_RANGE` with the log's bounds in `details`, so a consumer can reset.
 *
 * @example
 * ```ts
 * offsetOutOfRange("Offset 3 of t-0 is outside [5, 9]", 5, 9, 9).details; // { logStartOffset: 5, logEndOffset: 9, highWatermark: 9 }
 * ```
 */
export function offsetOutOfRange(message: string, logStartOffset: number, logEndOffset: number, highWatermark: number): EdgelogError {
  return new EdgelogError("OFFSET_OUT_OF_RANGE", message, {
    details: { logStartOffset, logEndOffset, highWatermark },
  });
}

/**
 * The error for a call on a closed (`KAFKA_STORAGE_ERROR`) or deleted (`UNKNOWN_TOPIC_OR_PARTITION`) log.
 *
 * @example
 * ```ts
 * throw logUnavailable("orders-0", true);
 * ```
 */
export function logUnavailable(name: string, deleted: boolean): EdgelogError {
  return deleted
    ? new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Log ${name} was deleted`)
    : new EdgelogError("KAFKA_STORAGE_ERROR", `Log ${name} is closed`);
}
