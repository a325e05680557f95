/**
 * `listOffsets`: per partition, the earliest offset (-2: the log start), the latest (-1: the high
 * watermark) or the first offset whose timestamp is at or after a time (via the time index; offset
 * and timestamp -1 when there is none). In a cluster only the partition's leader answers;
 * other brokers answer NOT_LEADER_OR_FOLLOWER for the partition.
 *
 * ```
 * ListOffsetsRequest  => { id, op: "listOffsets", topic, partitions: [{ partition, timestamp }] }
 * ListOffsetsResponse => { id, topic, partitions: [{ partition, offset, timestamp, leaderEpoch, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleListOffsets({ id: 11, op: "listOffsets", topic: "orders", partitions: [{ partition: 0, timestamp: -2 }] }, scope);
 * ```
 * @module
 */
import { withError } from "../../protocol/envelope.ts";
import { listOffsetsResponse, OFFSET_SPEC, type ListOffsetsRequest, type ListOffsetsResult } from "../../protocol/ops/list-offsets.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `listOffsets`.
 *
 * @example
 * ```ts
 * HANDLERS.listOffsets = handleListOffsets;
 * ```
 */
export const handleListOffsets: Handler<ListOffsetsRequest> = async (request, { broker }) => {
  const results: ListOffsetsResult[] = [];
  for (const { partition, timestamp } of request.partitions) {
    try {
      const log = broker.leaderLog(request.topic, partition);
      const leaderEpoch = broker.replicas.leaderEpoch(request.topic, partition);
      if (timestamp === OFFSET_SPEC.EARLIEST) {
        results.push({ partition, offset: log.logStartOffset, timestamp: -1, leaderEpoch });
      } else if (timestamp === OFFSET_SPEC.LATEST) {
        results.push({ partition, offset: log.highWatermark, timestamp: -1, leaderEpoch });
      } else {
        const found = await log.offsetForTimestamp(timestamp);
        results.push(found ? { partition, offset: found.offset, timestamp: found.timestamp, leaderEpoch } : { partition, offset: -1, timestamp: -1, leaderEpoch });
      }
    } catch (error) {
      results.push(withError({ partition }, error));
    }
  }
  return listOffsetsResponse(request.id, request.topic, results);
};
