/**
 * `describeLag`: the rows of `kafka-consumer-groups --describe` for each group: committed offset,
 * high watermark, lag and owning member per partition, from the coordinator and the partition logs.
 *
 * ```
 * DescribeLagRequest  => { id, op: "describeLag", groupIds }
 * DescribeLagResponse => { id, groups: [{ groupId, state, rows: [{ topic, partition, currentOffset, logEndOffset, lag, consumerId, host, clientId }], error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleDescribeLag({ id: 28, op: "describeLag", groupIds: ["g"] }, scope);
 * ```
 * @module
 */
import { withError } from "../../protocol/envelope.ts";
import { describeLagResponse, type DescribeLagRequest, type WireGroupLag } from "../../protocol/ops/describe-lag.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `describeLag`.
 *
 * @example
 * ```ts
 * HANDLERS.describeLag = handleDescribeLag;
 * ```
 */
export const handleDescribeLag: Handler<DescribeLagRequest> = async (request, { broker }) => {
  const { coordinator, logEnd } = broker.groups;
  const groups = request.groupIds.map((groupId): WireGroupLag => {
    try {
      const { state, rows } = coordinator.describeLag(groupId, logEnd);
      return { groupId, state, rows };
    } catch (error) {
      return withError({ groupId, state: "Dead" as const, rows: [] }, error);
    }
  });
  return describeLagResponse(request.id, groups);
};
