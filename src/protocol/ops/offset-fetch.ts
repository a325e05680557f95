/**
 * `offsetFetch`: reads a consumer group's committed offsets (Kafka's OffsetFetch): of the
 * partitions asked, or of every partition the group has an offset for. A partition without a
 * committed offset answers offset -1.
 *
 * ```
 * OffsetFetchRequest =>
 *   id: uint
 *   op: "offsetFetch"
 *   groupId: string
 *   topics?: [{ topic: string, partitions?: [int32] }]   absent: every committed partition; no
 *                                                        partitions: every partition of the topic
 *   memberId?: string                a member's fetch: checked as a commit is
 *   memberEpoch?: int32 = -1
 *
 * OffsetFetchResponse =>
 *   id: uint
 *   groupId: string
 *   offsets: [{
 *     topic: string
 *     partition: int32
 *     offset: int64                  -1: no committed offset
 *     leaderEpoch: int32             -1 when unknown
 *     metadata: string
 *     commitTimestamp: int64         -1 without an offset
 *   }]
 * ```
 * Errors: INVALID_GROUP_ID, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH,
 * COORDINATOR_LOAD_IN_PROGRESS.
 *
 * @example
 * ```ts
 * decodeOffsetFetchRequest({ id: 23, op: "offsetFetch", groupId: "billing", topics: [{ topic: "orders", partitions: [0, 1] }] });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT32_MAX } from "../fields.ts";
import { readPartitionsQueries, type WirePartitionsQuery } from "../topic-partitions.ts";

/** A decoded `offsetFetch` request. */
export interface OffsetFetchRequest {
  id: RequestId;
  op: "offsetFetch";
  groupId: string;
  topics: WirePartitionsQuery[] | undefined;
  memberId: string | undefined;
  memberEpoch: number;
}

/** One committed offset. */
export interface WireFetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

/** The reply to `offsetFetch`. */
export interface OffsetFetchResponse {
  id: RequestId;
  groupId: string;
  offsets: WireFetchedOffset[];
}

/**
 * Validates a decoded `offsetFetch` frame.
 *
 * @example
 * ```ts
 * decodeOffsetFetchRequest({ id: 23, op: "offsetFetch", groupId: "g", topics: [] }); // throws naming topics
 * ```
 */
export function decodeOffsetFetchRequest(frame: unknown): OffsetFetchRequest {
  const { id, fields } = openRequest(frame, "offsetFetch");
  return {
    id,
    op: "offsetFetch",
    groupId: fields.string("groupId"),
    topics: readPartitionsQueries(fields, "topics"),
    memberId: fields.optionalString("memberId"),
    memberEpoch: fields.optionalInt("memberEpoch", -1, INT32_MAX, -1),
  };
}

/**
 * Builds the reply to `offsetFetch`.
 *
 * @example
 * ```ts
 * offsetFetchResponse(req.id, "billing", [{ topic: "orders", partition: 0, offset: 42, leaderEpoch: -1, metadata: "", commitTimestamp: 1700000000000 }]);
 * ```
 */
export function offsetFetchResponse(id: RequestId, groupId: string, offsets: WireFetchedOffset[]): OffsetFetchResponse {
  return { id, groupId, offsets };
}
