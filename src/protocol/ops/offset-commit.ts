/**
 * `offsetCommit`: stores a consumer group's offsets (Kafka's OffsetCommit) in `__consumer_offsets`.
 * A member commits with its member id and epoch; a client outside group management (no member id)
 * may commit only while the group has no members. The commit is all or nothing: one bad offset, or
 * a fenced member, fails the whole request and nothing is written.
 *
 * ```
 * OffsetCommitRequest =>
 *   id: uint
 *   op: "offsetCommit"
 *   groupId: string
 *   memberId?: string                with memberEpoch: a member's commit
 *   memberEpoch?: int32 = -1         the member's current epoch (another: FENCED_MEMBER_EPOCH)
 *   offsets: [{                      at least one; no (topic, partition) twice
 *     topic: string
 *     partition: int32
 *     offset: int64 ≥ 0              the next offset to consume
 *     leaderEpoch?: int32 = -1       the leader epoch of the last consumed record
 *     metadata?: string = ""         at most offset.metadata.max.bytes (4096) UTF-8 bytes
 *   }]
 *
 * OffsetCommitResponse =>
 *   id: uint
 *   groupId: string
 *   offsets: [{ topic: string, partition: int32, offset: int64 }]    as stored, in request order
 * ```
 * Errors: INVALID_GROUP_ID, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION,
 * OFFSET_METADATA_TOO_LARGE, COORDINATOR_LOAD_IN_PROGRESS, KAFKA_STORAGE_ERROR.
 *
 * @example
 * ```ts
 * decodeOffsetCommitRequest({ id: 22, op: "offsetCommit", groupId: "billing", memberId: "c-1", memberEpoch: 3,
 *   offsets: [{ topic: "orders", partition: 0, offset: 42 }] });
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { openRequest, type RequestId } from "../envelope.ts";
import { fieldPath, Fields, INT32_MAX, INT53_MAX } from "../fields.ts";

/** One offset to commit. */
export interface WireOffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

/** A decoded `offsetCommit` request. */
export interface OffsetCommitRequest {
  id: RequestId;
  op: "offsetCommit";
  groupId: string;
  memberId: string | undefined;
  memberEpoch: number;
  offsets: WireOffsetToCommit[];
}

/** The reply to `offsetCommit`. */
export interface OffsetCommitResponse {
  id: RequestId;
  groupId: string;
  offsets: { topic: string; partition: number; offset: number }[];
}

/**
 * Validates a decoded `offsetCommit` frame.
 *
 * @example
 * ```ts
 * decodeOffsetCommitRequest({ id: 22, op: "offsetCommit", groupId: "g", offsets: [{ topic: "t", partition: 0, offset: -1 }] });
 * // throws naming offsets[0].offset
 * ```
 */
export function decodeOffsetCommitRequest(frame: unknown): OffsetCommitRequest {
  const { id, fields } = openRequest(frame, "offsetCommit");
  const groupId = fields.string("groupId");
  const memberId = fields.optionalString("memberId");
  const memberEpoch = fields.optionalInt("memberEpoch", -1, INT32_MAX, -1);
  const offsets = fields.list("offsets", (item, path) => {
    const o = Fields.of(item, path);
    return {
      topic: o.string("topic"),
      partition: o.int("partition", 0, INT32_MAX),
      offset: o.int("offset", 0, INT53_MAX),
      leaderEpoch: o.optionalInt("leaderEpoch", -1, INT32_MAX, -1),
      metadata: o.optionalString("metadata") ?? "",
    };
  }, 1);
  const seen = new Set<string>();
  offsets.forEach((o, i) => {
    const key = `${o.topic}\u0000${o.partition}`;
    if (seen.has(key)) {
      const path = fieldPath(fieldPath("offsets", i), "partition");
      throw new EdgelogError("INVALID_REQUEST", `Field ${path} repeats ${o.topic}-${o.partition}`, { details: { field: path } });
    }
    seen.add(key);
  });
  return { id, op: "offsetCommit", groupId, memberId, memberEpoch, offsets };
}

/**
 * Builds the reply to `offsetCommit`.
 *
 * @example
 * ```ts
 * offsetCommitResponse(req.id, "billing", [{ topic: "orders", partition: 0, offset: 42 }]);
 * ```
 */
export function offsetCommitResponse(id: RequestId, groupId: string, offsets: OffsetCommitResponse["offsets"]): OffsetCommitResponse {
  return { id, groupId, offsets };
}
