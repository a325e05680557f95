/**
 * `createPartitions`: raises topics' partition counts. `count` is the new total, as in Kafka; it can
 * only grow. Keyed records of the topic map to other partitions afterwards.
 *
 * ```
 * CreatePartitionsRequest =>
 *   id: uint
 *   op: "createPartitions"
 *   topics: [{ topic: string, count: int32 ≥ 1 }]   at least one; no name twice
 *   validateOnly?: bool = false
 *   timeoutMs?: int32 = 30000
 *
 * CreatePartitionsResponse =>
 *   id: uint
 *   topics: [{ topic: string, error?: WireError }]   UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS
 *                                                     (count not above the current one), POLICY_VIOLATION
 * ```
 *
 * @example
 * ```ts
 * decodeCreatePartitionsRequest({ id: 5, op: "createPartitions", topics: [{ topic: "orders", count: 12 }] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, INT32_MAX, rejectDuplicates } from "../fields.ts";
import { DEFAULT_ADMIN_TIMEOUT_MS } from "./create-topics.ts";

/** A decoded `createPartitions` request. */
export interface CreatePartitionsRequest {
  id: RequestId;
  op: "createPartitions";
  topics: { topic: string; count: number }[];
  validateOnly: boolean;
  timeoutMs: number;
}

/** The outcome for one topic. */
export interface CreatePartitionsResult {
  topic: string;
  error?: WireError;
}

/** The reply to `createPartitions`. */
export interface CreatePartitionsResponse {
  id: RequestId;
  topics: CreatePartitionsResult[];
}

/**
 * Validates a decoded `createPartitions` frame.
 *
 * @example
 * ```ts
 * decodeCreatePartitionsRequest({ id: 5, op: "createPartitions", topics: [{ topic: "t", count: 0 }] }); // throws naming topics[0].count
 * ```
 */
export function decodeCreatePartitionsRequest(frame: unknown): CreatePartitionsRequest {
  const { id, fields } = openRequest(frame, "createPartitions");
  const topics = fields.list("topics", (item, path) => {
    const t = Fields.of(item, path);
    return { topic: t.string("topic"), count: t.int("count", 1, INT32_MAX) };
  }, 1);
  rejectDuplicates(topics.map((t) => t.topic), "topics", "topic");
  return {
    id,
    op: "createPartitions",
    topics,
    validateOnly: fields.optionalBoolean("validateOnly", false),
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS),
  };
}

/**
 * Builds the reply to `createPartitions`.
 *
 * @example
 * ```ts
 * createPartitionsResponse(req.id, [{ topic: "orders" }]);
 * ```
 */
export function createPartitionsResponse(id: RequestId, topics: CreatePartitionsResult[]): CreatePartitionsResponse {
  return { id, topics };
}
