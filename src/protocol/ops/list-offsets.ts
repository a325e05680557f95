/**
 * `listOffsets`: finds offsets of partitions: the earliest (log start), the latest (high watermark,
 * the offset the next record will get) or the first offset whose timestamp is at or after a time.
 *
 * ```
 * ListOffsetsRequest =>
 *   id: uint
 *   op: "listOffsets"
 *   topic: string
 *   partitions: [{                     at least one; no partition twice
 *     partition: int32
 *     timestamp: int64 | "earliest" | "latest"   -2 = "earliest", -1 = "latest", ≥ 0: ms since the epoch
 *   }]
 *
 * ListOffsetsResponse =>
 *   id: uint
 *   topic: string
 *   partitions: [{
 *     partition: int32
 *     offset: int64        -1 when no record has a timestamp at or after the one asked
 *     timestamp: int64     the found record's timestamp; -1 for earliest, latest and not found
 *     leaderEpoch: int32   -1 when unknown
 *     error?: WireError    UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeListOffsetsRequest({ id: 11, op: "listOffsets", topic: "orders", partitions: [{ partition: 0, timestamp: "earliest" }] });
 * // partitions[0].timestamp === -2
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, INT32_MAX, INT53_MAX, rejectDuplicates } from "../fields.ts";

/** Kafka's special timestamps of ListOffsets. */
export const OFFSET_SPEC = Object.freeze({ LATEST: -1, EARLIEST: -2 });

/** A decoded `listOffsets` request; `timestamp` is -2 (earliest), -1 (latest) or a time. */
export interface ListOffsetsRequest {
  id: RequestId;
  op: "listOffsets";
  topic: string;
  partitions: { partition: number; timestamp: number }[];
}

/** The outcome for one partition. */
export type ListOffsetsResult =
  | { partition: number; offset: number; timestamp: number; leaderEpoch: number; error?: undefined }
  | { partition: number; error: WireError };

/** The reply to `listOffsets`. */
export interface ListOffsetsResponse {
  id: RequestId;
  topic: string;
  partitions: ListOffsetsResult[];
}

/**
 * Validates a decoded `listOffsets` frame.
 *
 * @example
 * ```ts
 * decodeListOffsetsRequest({ id: 11, op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: -3 }] }); // throws
 * ```
 */
export function decodeListOffsetsRequest(frame: unknown): ListOffsetsRequest {
  const { id, fields } = openRequest(frame, "listOffsets");
  const topic = fields.string("topic");
  const partitions = fields.list("partitions", (item, path) => {
    const p = Fields.of(item, path);
    const partition = p.int("partition", 0, INT32_MAX);
    const at = p.get("timestamp");
    const timestamp =
      at === "earliest" ? OFFSET_SPEC.EARLIEST : at === "latest" ? OFFSET_SPEC.LATEST : readTimestamp(p);
    return { partition, timestamp };
  }, 1);
  rejectDuplicates(partitions.map((p) => p.partition), "partitions", "partition");
  return { id, op: "listOffsets", topic, partitions };
}

/**
 * Builds the reply to `listOffsets`.
 *
 * @example
 * ```ts
 * listOffsetsResponse(req.id, "orders", [{ partition: 0, offset: 0, timestamp: -1, leaderEpoch: 0 }]);
 * ```
 */
export function listOffsetsResponse(id: RequestId, topic: string, partitions: ListOffsetsResult[]): ListOffsetsResponse {
  return { id, topic, partitions };
}

function readTimestamp(p: Fields): number {
  const at = p.get("timestamp");
  if (typeof at !== "number" || !Number.isInteger(at) || at < -2 || at > INT53_MAX) {
    throw p.fail("timestamp", `"earliest", "latest", -2, -1 or a time in ms from 0 to ${INT53_MAX}`);
  }
  return at === 0 ? 0 : at;
}
