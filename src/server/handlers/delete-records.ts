/**
 * `deleteRecords`: moves each partition's log start offset forward (Kafka's DeleteRecords); -1 means
 * the high watermark. Refused with POLICY_VIOLATION on a topic whose cleanup.policy lacks delete.
 * Subscriptions left below the new log start end with an OFFSET_OUT_OF_RANGE push. In a cluster only
 * the partition's leader deletes (NOT_LEADER_OR_FOLLOWER elsewhere); followers follow its log start.
 *
 * ```
 * DeleteRecordsRequest  => { id, op: "deleteRecords", topic, partitions: [{ partition, offset }], timeoutMs? }
 * DeleteRecordsResponse => { id, topic, partitions: [{ partition, lowWatermark, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleDeleteRecords({ id: 12, op: "deleteRecords", topic: "orders", partitions: [{ partition: 0, offset: 100 }], timeoutMs: 30000 }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { withError } from "../../protocol/envelope.ts";
import { deleteRecordsResponse, type DeleteRecordsRequest, type DeleteRecordsResult } from "../../protocol/ops/delete-records.ts";
import type { Handler } from "./handler.ts";
import { requestDeadline } from "./request-deadline.ts";

/**
 * Answers `deleteRecords`.
 *
 * @example
 * ```ts
 * HANDLERS.deleteRecords = handleDeleteRecords;
 * ```
 */
export const handleDeleteRecords: Handler<DeleteRecordsRequest> = async (request, { broker }) => {
  const results: DeleteRecordsResult[] = [];
  const deadline = requestDeadline(request.timeoutMs);
  for (const { partition, offset } of request.partitions) {
    try {
      const log = broker.leaderLog(request.topic, partition);
      if (!log.config.cleanupPolicy.includes("delete")) {
        throw new EdgelogError(
          "POLICY_VIOLATION",
          `Records of partition ${request.topic}-${partition} can not be deleted due to the configured policy`,
        );
      }
      await deadline.wait(log.deleteRecordsBefore(offset), `the deletion of records of ${request.topic}-${partition}`);
      results.push({ partition, lowWatermark: log.logStartOffset });
    } catch (error) {
      results.push(withError({ partition }, error));
    }
  }
  return deleteRecordsResponse(request.id, request.topic, results);
};
