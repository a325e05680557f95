/**
 * `alterPartitionReassignments`: in a cluster, starts the admin's reassignments of the partitions
 * with target replicas and cancels those with `replicas: null`. On a single broker the only
 * possible target is the broker itself: a move to `[brokerId]` is complete at once, any other
 * broker is INVALID_REPLICA_ASSIGNMENT, and a cancel is NO_REASSIGNMENT_IN_PROGRESS, as a one-broker
 * Kafka cluster answers.
 *
 * ```
 * AlterPartitionReassignmentsRequest  => { id, op: "alterPartitionReassignments", partitions: [{ topic, partition, replicas | null }], timeoutMs? }
 * AlterPartitionReassignmentsResponse => { id, partitions: [{ topic, partition, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleAlterPartitionReassignments({ id: 31, op: "alterPartitionReassignments", partitions: [{ topic: "t", partition: 0, replicas: [2, 3] }], timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { EdgelogError, type ErrorCode } from "../../core/errors.ts";
import { toWireError, type WireError } from "../../protocol/envelope.ts";
import {
  alterPartitionReassignmentsResponse,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResult,
  type WireReassignment,
} from "../../protocol/ops/alter-partition-reassignments.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `alterPartitionReassignments`.
 *
 * @example
 * ```ts
 * HANDLERS.alterPartitionReassignments = handleAlterPartitionReassignments;
 * ```
 */
export const handleAlterPartitionReassignments: Handler<AlterPartitionReassignmentsRequest> = async (request, { broker }) => {
  const admin = broker.cluster?.admin;
  if (admin === undefined) return alterPartitionReassignmentsResponse(request.id, request.partitions.map((p) => singleBrokerMove(broker, p)));
  const moves = request.partitions.flatMap((p) => (p.replicas === null ? [] : [{ topic: p.topic, partition: p.partition, replicas: p.replicas }]));
  const cancels = request.partitions.filter((p) => p.replicas === null).map(({ topic, partition }) => ({ topic, partition }));
  const deadline = requestDeadline(request.timeoutMs);
  const results = [
    ...(moves.length === 0 ? [] : await deadline.wait(admin.reassignPartitions({ version: 1, partitions: moves }), "the partition reassignment")),
    ...(cancels.length === 0 ? [] : await deadline.wait(admin.cancelReassignments(cancels), "the cancellation of reassignments")),
  ];
  const partitions = results.map((r): AlterPartitionReassignmentsResult => {
    const where = { topic: r.topic, partition: r.partition };
    return r.error === undefined ? where : { ...where, error: wireError(r.error.code, r.error.message) };
  });
  for (const p of request.partitions) {
    const failed = partitions.find((r) => r.topic === p.topic && r.partition === p.partition)?.error !== undefined;
    if (failed) continue;
    const what = p.replicas === null ? "cancelled the reassignment of" : `started moving`;
    const where = p.replicas === null ? "" : ` to [${p.replicas.join(",")}]`;
    broker.logger("info", `Admin ${what} ${p.topic}-${p.partition}${where}`);
  }
  return alterPartitionReassignmentsResponse(request.id, partitions);
};

/** On a broker that runs alone, every partition has its one replica here. */
function singleBrokerMove(broker: BrokerContext, p: WireReassignment): AlterPartitionReassignmentsResult {
  const where = { topic: p.topic, partition: p.partition };
  const topic = broker.topics.get(p.topic);
  if (topic === undefined || p.partition >= topic.partitions) {
    return { ...where, error: wireError("UNKNOWN_TOPIC_OR_PARTITION", `Partition ${p.topic}-${p.partition} does not exist`) };
  }
  if (p.replicas === null) {
    return { ...where, error: wireError("NO_REASSIGNMENT_IN_PROGRESS", `No reassignment of ${p.topic}-${p.partition} is in progress`) };
  }
  if (new Set(p.replicas).size !== p.replicas.length) {
    return { ...where, error: wireError("INVALID_REPLICA_ASSIGNMENT", `Duplicate replicas in [${p.replicas.join(",")}]`) };
  }
  const unknown = p.replicas.filter((id) => id !== broker.config.brokerId);
  if (unknown.length > 0) {
    return {
      ...where,
      error: wireError("INVALID_REPLICA_ASSIGNMENT", `Unknown broker(s) ${unknown.join(",")} in [${p.replicas.join(",")}]: the only broker is ${broker.config.brokerId}`),
    };
  }
  return where;
}

function wireError(code: ErrorCode, message: string): WireError {
  return toWireError(new EdgelogError(code, message));
}
