/**
 * `offsetCommit`: commits a group's offsets through the coordinator, all or nothing; the reply
 * comes once they are stored in `__consumer_offsets`.
 *
 * ```
 * OffsetCommitRequest  => { id, op: "offsetCommit", groupId, memberId?, memberEpoch?, offsets: [{ topic, partition, offset, leaderEpoch?, metadata? }] }
 * OffsetCommitResponse => { id, groupId, offsets: [{ topic, partition, offset }] }
 * ```
 *
 * @example
 * ```ts
 * await handleOffsetCommit(decodeOffsetCommitRequest({ id: 22, op: "offsetCommit", groupId: "g", memberId, memberEpoch: 3, offsets: [{ topic: "t", partition: 0, offset: 42 }] }), scope);
 * ```
 * @module
 */
import type { CommitOffsetsRequest } from "../../core/group/coordinator-types.ts";
import { offsetCommitResponse, type OffsetCommitRequest } from "../../protocol/ops/offset-commit.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `offsetCommit`.
 *
 * @example
 * ```ts
 * HANDLERS.offsetCommit = handleOffsetCommit;
 * ```
 */
export const handleOffsetCommit: Handler<OffsetCommitRequest> = async (request, { broker }) => {
  const commit: CommitOffsetsRequest = {
    groupId: request.groupId,
    memberEpoch: request.memberEpoch,
    offsets: request.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata })),
  };
  if (request.memberId !== undefined) commit.memberId = request.memberId;
  await broker.groups.coordinator.commitOffsets(commit);
  return offsetCommitResponse(
    request.id,
    request.groupId,
    request.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
  );
};
