/**
 * `offsetFetch`: a group's committed offsets from the coordinator (-1 where there is none); with a
 * member id, checked as the member's own fetch.
 *
 * ```
 * OffsetFetchRequest  => { id, op: "offsetFetch", groupId, topics?, memberId?, memberEpoch? }
 * OffsetFetchResponse => { id, groupId, offsets: [{ topic, partition, offset, leaderEpoch, metadata, commitTimestamp }] }
 * ```
 *
 * @example
 * ```ts
 * await handleOffsetFetch(decodeOffsetFetchRequest({ id: 23, op: "offsetFetch", groupId: "g" }), scope);
 * ```
 * @module
 */
import { offsetFetchResponse, type OffsetFetchRequest } from "../../protocol/ops/offset-fetch.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `offsetFetch`.
 *
 * @example
 * ```ts
 * HANDLERS.offsetFetch = handleOffsetFetch;
 * ```
 */
export const handleOffsetFetch: Handler<OffsetFetchRequest> = async (request, { broker }) => {
  const member = request.memberId === undefined ? undefined : { memberId: request.memberId, memberEpoch: request.memberEpoch };
  const offsets = broker.groups.coordinator.fetchOffsets(request.groupId, request.topics, member);
  return offsetFetchResponse(request.id, request.groupId, offsets);
};
