/**
 * `listPartitionReassignments`: Kafka's ListPartitionReassignments (`edgelog reassign-partitions
 * --list` and `--verify`): the reassignments running now.
 *
 * ```
 * ListPartitionReassignmentsRequest =>
 *   id: uint
 *   op: "listPartitionReassignments"
 *   partitions?: [{ topic: string, partition: int32 ≥ 0 }] | null   absent or null: every running
 *                                                                     reassignment; no partition twice
 *   timeoutMs?: int32 = 30000
 *
 * ListPartitionReassignmentsResponse =>
 *   id: uint
 *   reassignments: [{
 *     topic: string
 *     partition: int32
 *     replicas: [int32]           the replicas now: the target, then those that leave
 *     addingReplicas: [int32]     target replicas that are not original ones
 *     removingReplicas: [int32]   original replicas that are not in the target
 *   }]                            sorted by topic, then partition; a named partition that is not
 *                                 moving is left out
 * ```
 *
 * @example
 * ```ts
 * decodeListPartitionReassignmentsRequest({ id: 32, op: "listPartitionReassignments" });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT32_MAX } from "../fields.ts";
import { DEFAULT_ADMIN_TIMEOUT_MS } from "./create-topics.ts";
import { readTopicPartitions, type WireTopicPartition } from "./elect-leaders.ts";

/**
 * A decoded `listPartitionReassignments` request; `partitions` undefined means all.
 *
 * @example
 * ```ts
 * const request: ListPartitionReassignmentsRequest = { id: 32, op: "listPartitionReassignments", partitions: undefined, timeoutMs: 30000 };
 * ```
 */
export interface ListPartitionReassignmentsRequest {
  id: RequestId;
  op: "listPartitionReassignments";
  partitions: WireTopicPartition[] | undefined;
  timeoutMs: number;
}

/**
 * A running reassignment.
 *
 * @example
 * ```ts
 * const r: WireOngoingReassignment = { topic: "orders", partition: 0, replicas: [1, 2, 0], addingReplicas: [], removingReplicas: [0] };
 * ```
 */
export interface WireOngoingReassignment extends WireTopicPartition {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/**
 * The reply to `listPartitionReassignments`.
 *
 * @example
 * ```ts
 * const reply: ListPartitionReassignmentsResponse = { id: 32, reassignments: [] };
 * ```
 */
export interface ListPartitionReassignmentsResponse {
  id: RequestId;
  reassignments: WireOngoingReassignment[];
}

/**
 * Validates a decoded `listPartitionReassignments` frame.
 *
 * @example
 * ```ts
 * decodeListPartitionReassignmentsRequest({ id: 32, op: "listPartitionReassignments", partitions: [{ topic: "t" }] }); // throws naming partitions[0].partition
 * ```
 */
export function decodeListPartitionReassignmentsRequest(frame: unknown): ListPartitionReassignmentsRequest {
  const { id, fields } = openRequest(frame, "listPartitionReassignments");
  return {
    id,
    op: "listPartitionReassignments",
    partitions: readTopicPartitions(fields, "partitions"),
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_ADMIN_TIMEOUT_MS),
  };
}

/**
 * Builds the reply to `listPartitionReassignments`.
 *
 * @example
 * ```ts
 * listPartitionReassignmentsResponse(req.id, []);
 * ```
 */
export function listPartitionReassignmentsResponse(id: RequestId, reassignments: WireOngoingReassignment[]): ListPartitionReassignmentsResponse {
  return { id, reassignments };
}
