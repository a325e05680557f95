/**
 * `createTopics`: creates topics with a partition count, a replication factor and topic configs
 * (Kafka's keys, e.g. `retention.ms`). Each topic succeeds or fails on its own.
 *
 * ```
 * CreateTopicsRequest =>
 *   id: uint
 *   op: "createTopics"
 *   topics: [{                          at least one; no name twice
 *     topic: string
 *     numPartitions?: int32 = -1        -1: the broker's num.partitions
 *     replicationFactor?: int16 = -1    -1: the broker's default.replication.factor
 *     configs?: { [key]: string }       numbers and booleans are taken as their text
 *   }]
 *   validateOnly?: bool = false         check everything, create nothing
 *   timeoutMs?: int32 = 30000
 *
 * CreateTopicsResponse =>
 *   id: uint
 *   topics: [{
 *     topic: string
 *     numPartitions: int32              as created (or as it would be, with validateOnly)
 *     replicationFactor: int16
 *     error?: WireError                 TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 *                                       INVALID_REPLICATION_FACTOR, INVALID_CONFIG, POLICY_VIOLATION
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeCreateTopicsRequest({ id: 3, op: "createTopics", topics: [{ topic: "orders", numPartitions: 6 }] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, INT16_MAX, INT32_MAX, readStringMap, rejectDuplicates } from "../fields.ts";

/** How long a broker waits for a topic operation by default, as Kafka's request.timeout.ms. */
export const DEFAULT_ADMIN_TIMEOUT_MS = 30_000;

/** One topic to create. */
export interface NewTopic {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/** A decoded `createTopics` request. */
export interface CreateTopicsRequest {
  id: RequestId;
  op: "createTopics";
  topics: NewTopic[];
  validateOnly: boolean;
  timeoutMs: number;
}

/** The outcome for one topic. */
export type CreateTopicResult =
  | { topic: string; numPartitions: number; replicationFactor: number; error?: undefined }
  | { topic: string; numPartitions?: number; replicationFactor?: number; error: WireError };

/** The reply to `createTopics`. */
export interface CreateTopicsResponse {
  id: RequestId;
  topics: CreateTopicResult[];
}

/**
 * Validates a decoded `createTopics` frame.
 *
 * @example
 * ```ts
 * decodeCreateTopicsRequest({ id: 3, op: "createTopics", topics: [{ topic: "t", configs: { "cleanup.policy": "compact" } }] });
 * ```
 */
export function decodeCreateTopicsRequest(frame: unknown): CreateTopicsRequest {
  const { id, fields } = openRequest(frame, "createTopics");
  const topics = fields.list("topics", (item, path) => {
    const t = Fields.of(item, path);
    return {
      topic: t.string("topic"),
      numPartitions: t.optionalInt("numPartitions", -1, INT32_MAX, -1),
      replicationFactor: t.optionalInt("replicationFactor", -1, INT16_MAX, -1),
      configs: t.has("configs") ? readStringMap(t.get("configs"), t.pathOf("configs")) : {},
    };
  }, 1);
  rejectDuplicates(topics.map((t) => t.topic), "topics", "topic");
  return {
    id,
    op: "createTopics",
    topics,
    validateOnly: fields.optionalBoolean("validateOnly", false),
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS),
  };
}

/**
 * Builds the reply to `createTopics`; failed topics come from `withError({ topic }, error)`.
 *
 * @example
 * ```ts
 * createTopicsResponse(req.id, [{ topic: "orders", numPartitions: 6, replicationFactor: 1 }]);
 * ```
 */
export function createTopicsResponse(id: RequestId, topics: CreateTopicResult[]): CreateTopicsResponse {
  return { id, topics };
}
