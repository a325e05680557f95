/**
 * `resetOffsets`: `kafka-consumer-groups --reset-offsets` through the coordinator: plans new offsets
 * from the partition logs (log start, high watermark, time index) and commits them with `execute`.
 * Refused with NON_EMPTY_GROUP while the group has members, unless `force`.
 *
 * ```
 * ResetOffsetsRequest  => { id, op: "resetOffsets", groupId, topics?, spec, execute?, force? }
 * ResetOffsetsResponse => { id, groupId, executed, partitions: [{ topic, partition, previousOffset, newOffset, warning? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleResetOffsets({ id: 27, op: "resetOffsets", groupId: "g", topics: undefined, spec: { type: "to-earliest" }, execute: true, force: false }, scope);
 * ```
 * @module
 */
import type { ResetOffsetsRequest as CoordinatorResetRequest } from "../../core/group/reset-offsets.ts";
import { resetOffsetsResponse, type ResetOffsetsRequest } from "../../protocol/ops/reset-offsets.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `resetOffsets`.
 *
 * @example
 * ```ts
 * HANDLERS.resetOffsets = handleResetOffsets;
 * ```
 */
export const handleResetOffsets: Handler<ResetOffsetsRequest> = async (request, { broker }) => {
  const { coordinator, logOffsets } = broker.groups;
  const reset: CoordinatorResetRequest = {
    groupId: request.groupId,
    spec: request.spec,
    execute: request.execute,
    force: request.force,
    logOffsets,
  };
  if (request.topics !== undefined) reset.topics = request.topics;
  const result = await coordinator.resetOffsets(reset);
  if (result.executed) broker.logger("info", `Reset ${result.partitions.length} offset(s) of consumer group ${request.groupId} (${request.spec.type})`);
  return resetOffsetsResponse(request.id, result);
};
