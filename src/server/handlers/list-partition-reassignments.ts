/**
 * `listPartitionReassignments`: in a cluster, the admin's running reassignments (all, or those of
 * the named partitions) with their replicas, adding and removing replicas. A broker that runs alone
 * never has one.
 *
 * ```
 * ListPartitionReassignmentsRequest  => { id, op: "listPartitionReassignments", partitions?, timeoutMs? }
 * ListPartitionReassignmentsResponse => { id, reassignments: [{ topic, partition, replicas, addingReplicas, removingReplicas }] }
 * ```
 *
 * @example
 * ```ts
 * await handleListPartitionReassignments({ id: 32, op: "listPartitionReassignments", partitions: undefined, timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { listPartitionReassignmentsResponse, type ListPartitionReassignmentsRequest } from "../../protocol/ops/list-partition-reassignments.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `listPartitionReassignments`.
 *
 * @example
 * ```ts
 * HANDLERS.listPartitionReassignments = handleListPartitionReassignments;
 * ```
 */
export const handleListPartitionReassignments: Handler<ListPartitionReassignmentsRequest> = async (request, { broker }) => {
  const admin = broker.cluster?.admin;
  if (admin === undefined) return listPartitionReassignmentsResponse(request.id, []);
  const running = await requestDeadline(request.timeoutMs).wait(admin.describeReassignments(request.partitions), "listing the reassignments");
  return listPartitionReassignmentsResponse(
    request.id,
    running.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      replicas: r.replicas,
      addingReplicas: r.addingReplicas,
      removingReplicas: r.removingReplicas,
    })),
  );
};
