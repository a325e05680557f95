/**
 * `deleteTopics`: deletes topics and all their records. Each topic succeeds or fails on its own.
 *
 * ```
 * DeleteTopicsRequest =>
 *   id: uint
 *   op: "deleteTopics"
 *   topics: [string]            at least one; no name twice
 *   timeoutMs?: int32 = 30000
 *
 * DeleteTopicsResponse =>
 *   id: uint
 *   topics: [{ topic: string, error?: WireError }]    UNKNOWN_TOPIC_OR_PARTITION, POLICY_VIOLATION
 * ```
 *
 * @example
 * ```ts
 * decodeDeleteTopicsRequest({ id: 4, op: "deleteTopics", topics: ["orders"] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { INT32_MAX, readString, rejectDuplicates } from "../fields.ts";
import { DEFAULT_ADMIN_TIMEOUT_MS } from "./create-topics.ts";

/** A decoded `deleteTopics` request. */
export interface DeleteTopicsRequest {
  id: RequestId;
  op: "deleteTopics";
  topics: string[];
  timeoutMs: number;
}

/** The outcome for one topic. */
export interface DeleteTopicResult {
  topic: string;
  error?: WireError;
}

/** The reply to `deleteTopics`. */
export interface DeleteTopicsResponse {
  id: RequestId;
  topics: DeleteTopicResult[];
}

/**
 * Validates a decoded `deleteTopics` frame.
 *
 * @example
 * ```ts
 * decodeDeleteTopicsRequest({ id: 4, op: "deleteTopics", topics: [] }); // throws INVALID_REQUEST naming topics
 * ```
 */
export function decodeDeleteTopicsRequest(frame: unknown): DeleteTopicsRequest {
  const { id, fields } = openRequest(frame, "deleteTopics");
  const topics = fields.list("topics", readString, 1);
  rejectDuplicates(topics, "topics");
  return { id, op: "deleteTopics", topics, timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS) };
}

/**
 * Builds the reply to `deleteTopics`.
 *
 * @example
 * ```ts
 * deleteTopicsResponse(req.id, [{ topic: "orders" }]);
 * ```
 */
export function deleteTopicsResponse(id: RequestId, topics: DeleteTopicResult[]): DeleteTopicsResponse {
  return { id, topics };
}
