/**
 * `deleteRecords`: moves partitions' log start offset forward, deleting every record before the given
 * offset (Kafka's DeleteRecords). Offset -1 deletes up to the high watermark.
 *
 * ```
 * DeleteRecordsRequest =>
 *   id: uint
 *   op: "deleteRecords"
 *   topic: string
 *   partitions: [{ partition: int32, offset: int64 ≥ -1 }]   at least one; no partition twice
 *   timeoutMs?: int32 = 30000
 *
 * DeleteRecordsResponse =>
 *   id: uint
 *   topic: string
 *   partitions: [{
 *     partition: int32
 *     lowWatermark: int64   the new log start offset
 *     error?: WireError     UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 *                           OFFSET_OUT_OF_RANGE (beyond the high watermark), POLICY_VIOLATION (compacted topic)
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeDeleteRecordsRequest({ id: 12, op: "deleteRecords", topic: "orders", partitions: [{ partition: 0, offset: 100 }] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, INT32_MAX, INT53_MAX, rejectDuplicates } from "../fields.ts";
import { DEFAULT_ADMIN_TIMEOUT_MS } from "./create-topics.ts";

/** A decoded `deleteRecords` request; `offset` -1 means the high watermark. */
export interface DeleteRecordsRequest {
  id: RequestId;
  op: "deleteRecords";
  topic: string;
  partitions: { partition: number; offset: number }[];
  timeoutMs: number;
}

/** The outcome for one partition. */
export type DeleteRecordsResult =
  | { partition: number; lowWatermark: number; error?: undefined }
  | { partition: number; error: WireError };

/** The reply to `deleteRecords`. */
export interface DeleteRecordsResponse {
  id: RequestId;
  topic: string;
  partitions: DeleteRecordsResult[];
}

/**
 * Validates a decoded `deleteRecords` frame.
 *
 * @example
 * ```ts
 * decodeDeleteRecordsRequest({ id: 12, op: "deleteRecords", topic: "t", partitions: [{ partition: 0, offset: -2 }] }); // throws
 * ```
 */
export function decodeDeleteRecordsRequest(frame: unknown): DeleteRecordsRequest {
  const { id, fields } = openRequest(frame, "deleteRecords");
  const topic = fields.string("topic");
  const partitions = fields.list("partitions", (item, path) => {
    const p = Fields.of(item, path);
    return { partition: p.int("partition", 0, INT32_MAX), offset: p.int("offset", -1, INT53_MAX) };
  }, 1);
  rejectDuplicates(partitions.map((p) => p.partition), "partitions", "partition");
  return {
    id,
    op: "deleteRecords",
    topic,
    partitions,
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS),
  };
}

/**
 * Builds the reply to `deleteRecords`.
 *
 * @example
 * ```ts
 * deleteRecordsResponse(req.id, "orders", [{ partition: 0, lowWatermark: 100 }]);
 * ```
 */
export function deleteRecordsResponse(id: RequestId, topic: string, partitions: DeleteRecordsResult[]): DeleteRecordsResponse {
  return { id, topic, partitions };
}
