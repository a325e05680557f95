/**
 * `offsetForLeaderEpoch` (broker-internal): Kafka's OffsetsForLeaderEpoch for one partition. A
 * follower that starts following a new leader asks where its latest leader epoch ends on the
 * leader, and truncates its log there (KIP-101, KIP-279). Clients never send it.
 *
 * ```
 * OffsetForLeaderEpochRequest =>
 *   id: uint
 *   op: "offsetForLeaderEpoch"
 *   topic: string
 *   partition: int32
 *   leaderEpoch: int32 ≥ 0           the epoch asked about: the follower's latest
 *   currentLeaderEpoch: int32 ≥ -1   the follower's view of the current leader epoch (-1: not checked)
 *
 * OffsetForLeaderEpochResponse =>
 *   id: uint
 *   topic: string
 *   partition: int32
 *   leaderEpoch: int32               the largest epoch ≤ the one asked about that the leader knows; -1: none
 *   endOffset: int64                 where that epoch ends on the leader; -1 with leaderEpoch -1
 * ```
 * Errors (whole request): FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION.
 *
 * @example
 * ```ts
 * decodeOffsetForLeaderEpochRequest({ id: 2, op: "offsetForLeaderEpoch", topic: "orders", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { Fields, INT32_MAX, INT53_MAX } from "../fields.ts";

/**
 * A decoded `offsetForLeaderEpoch` request.
 *
 * @example
 * ```ts
 * const request: OffsetForLeaderEpochOpRequest = decodeOffsetForLeaderEpochRequest(frame);
 * ```
 */
export interface OffsetForLeaderEpochOpRequest {
  id: RequestId;
  op: "offsetForLeaderEpoch";
  topic: string;
  partition: number;
  leaderEpoch: number;
  currentLeaderEpoch: number;
}

/**
 * The reply to `offsetForLeaderEpoch`.
 *
 * @example
 * ```ts
 * const reply: OffsetForLeaderEpochOpResponse = decodeOffsetForLeaderEpochResponse(frame);
 * ```
 */
export interface OffsetForLeaderEpochOpResponse {
  id: RequestId;
  topic: string;
  partition: number;
  leaderEpoch: number;
  endOffset: number;
}

/**
 * Validates a decoded `offsetForLeaderEpoch` frame.
 *
 * @example
 * ```ts
 * decodeOffsetForLeaderEpochRequest({ id: 2, op: "offsetForLeaderEpoch", topic: "t", partition: 0, leaderEpoch: -1, currentLeaderEpoch: 0 }); // throws
 * ```
 */
export function decodeOffsetForLeaderEpochRequest(frame: unknown): OffsetForLeaderEpochOpRequest {
  const { id, fields } = openRequest(frame, "offsetForLeaderEpoch");
  return {
    id,
    op: "offsetForLeaderEpoch",
    topic: fields.string("topic"),
    partition: fields.int("partition", 0, INT32_MAX),
    leaderEpoch: fields.int("leaderEpoch", 0, INT32_MAX),
    currentLeaderEpoch: fields.int("currentLeaderEpoch", -1, INT32_MAX),
  };
}

/**
 * Builds the reply to `offsetForLeaderEpoch`.
 *
 * @example
 * ```ts
 * offsetForLeaderEpochResponse(2, "orders", 0, { leaderEpoch: 3, endOffset: 118 });
 * ```
 */
export function offsetForLeaderEpochResponse(
  id: RequestId,
  topic: string,
  partition: number,
  answer: { leaderEpoch: number; endOffset: number },
): OffsetForLeaderEpochOpResponse {
  return { id, topic, partition, leaderEpoch: answer.leaderEpoch, endOffset: answer.endOffset };
}

/**
 * Validates a leader's reply to `offsetForLeaderEpoch` (the follower's side).
 *
 * @example
 * ```ts
 * const { leaderEpoch, endOffset } = decodeOffsetForLeaderEpochResponse(decodeFrame(message));
 * ```
 */
export function decodeOffsetForLeaderEpochResponse(frame: unknown): OffsetForLeaderEpochOpResponse {
  const fields = Fields.of(frame);
  return {
    id: fields.int("id", 0, INT53_MAX),
    topic: fields.string("topic"),
    partition: fields.int("partition", 0, INT32_MAX),
    leaderEpoch: fields.int("leaderEpoch", -1, INT32_MAX),
    endOffset: fields.int("endOffset", -1, INT53_MAX),
  };
}
