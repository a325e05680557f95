/**
 * `alterPartitionReassignments`: Kafka's AlterPartitionReassignments (`edgelog reassign-partitions
 * --execute` and `--cancel`): moves partitions' replicas to other brokers, or, with `replicas: null`,
 * cancels a running move (the partition goes back to its original replicas).
 *
 * ```
 * AlterPartitionReassignmentsRequest =>
 *   id: uint
 *   op: "alterPartitionReassignments"
 *   partitions: [{
 *     topic: string
 *     partition: int32 ≥ 0
 *     replicas: [int32 ≥ 0] | null    the target replicas, preferred leader first (≥ 1 item);
 *                                      null: cancel the partition's reassignment
 *   }]                                 at least one; no partition twice
 *   timeoutMs?: int32 = 30000
 *
 * AlterPartitionReassignmentsResponse =>
 *   id: uint
 *   partitions: [{
 *     topic: string
 *     partition: int32
 *     error?: WireError   UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT (duplicates, an unknown
 *                         broker, no replica left in sync), NO_REASSIGNMENT_IN_PROGRESS (cancel), REQUEST_TIMED_OUT
 *   }]
 * ```
 *
 * A reply without errors means the moves have started; `listPartitionReassignments` tells how far
 * they got.
 *
 * @example
 * ```ts
 * decodeAlterPartitionReassignmentsRequest({ id: 31, op: "alterPartitionReassignments", partitions: [{ topic: "orders", partition: 0, replicas: [2, 3] }] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { fieldPath, Fields, INT32_MAX, readInt, rejectDuplicates } from "../fields.ts";
import { DEFAULT_ADMIN_TIMEOUT_MS } from "./create-topics.ts";
import type { WireTopicPartition } from "./elect-leaders.ts";

/**
 * One partition's target: its new replicas, or null to cancel its reassignment.
 *
 * @example
 * ```ts
 * const move: WireReassignment = { topic: "orders", partition: 0, replicas: [2, 3] };
 * ```
 */
export interface WireReassignment extends WireTopicPartition {
  replicas: number[] | null;
}

/**
 * A decoded `alterPartitionReassignments` request.
 *
 * @example
 * ```ts
 * const request: AlterPartitionReassignmentsRequest = { id: 31, op: "alterPartitionReassignments", partitions: [], timeoutMs: 30000 };
 * ```
 */
export interface AlterPartitionReassignmentsRequest {
  id: RequestId;
  op: "alterPartitionReassignments";
  partitions: WireReassignment[];
  timeoutMs: number;
}

/**
 * The outcome for one partition.
 *
 * @example
 * ```ts
 * const r: AlterPartitionReassignmentsResult = { topic: "orders", partition: 0 };
 * ```
 */
export interface AlterPartitionReassignmentsResult extends WireTopicPartition {
  error?: WireError;
}

/**
 * The reply to `alterPartitionReassignments`.
 *
 * @example
 * ```ts
 * const reply: AlterPartitionReassignmentsResponse = { id: 31, partitions: [{ topic: "orders", partition: 0 }] };
 * ```
 */
export interface AlterPartitionReassignmentsResponse {
  id: RequestId;
  partitions: AlterPartitionReassignmentsResult[];
}

/**
 * Validates a decoded `alterPartitionReassignments` frame.
 *
 * @example
 * ```ts
 * decodeAlterPartitionReassignmentsRequest({ id: 31, op: "alterPartitionReassignments", partitions: [{ topic: "t", partition: 0, replicas: [] }] }); // throws
 * ```
 */
export function decodeAlterPartitionReassignmentsRequest(frame: unknown): AlterPartitionReassignmentsRequest {
  const { id, fields } = openRequest(frame, "alterPartitionReassignments");
  const partitions = fields.list("partitions", (item, path) => {
    const p = Fields.of(item, path);
    const topic = p.string("topic");
    const partition = p.int("partition", 0, INT32_MAX);
    const raw = p.get("replicas");
    if (raw === null) return { topic, partition, replicas: null };
    if (!Array.isArray(raw) || raw.length === 0) throw p.fail("replicas", "an array of at least 1 broker id, or null");
    const replicas = raw.map((value, i) => readInt(value, fieldPath(p.pathOf("replicas"), i), 0, INT32_MAX));
    return { topic, partition, replicas };
  }, 1);
  rejectDuplicates(partitions.map((p) => `${p.topic}-${p.partition}`), "partitions");
  return {
    id,
    op: "alterPartitionReassignments",
    partitions,
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS),
  };
}

/**
 * Builds the reply to `alterPartitionReassignments`.
 *
 * @example
 * ```ts
 * alterPartitionReassignmentsResponse(req.id, [{ topic: "orders", partition: 0 }]);
 * ```
 */
export function alterPartitionReassignmentsResponse(id: RequestId, partitions: AlterPartitionReassignmentsResult[]): AlterPartitionReassignmentsResponse {
  return { id, partitions };
}
