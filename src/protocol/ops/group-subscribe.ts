/**
 * `groupSubscribe`: a subscription that follows a group member's assignment. For each partition
 * assigned to the member the broker pushes `records` (push.ts) from the group's committed offset,
 * or, when the group has none, from where `autoOffsetReset` says (Kafka's `auto.offset.reset`);
 * a partition's stream stops when the partition is revoked, before the assignment push or
 * heartbeat reply that tells the member. All partitions of a group subscription share one credit
 * pool (`credit` with its `sub` tops it up; see flow-credit.ts for the rule).
 *
 * ```
 * GroupSubscribeRequest =>
 *   id: uint
 *   op: "groupSubscribe"
 *   groupId: string
 *   memberId: string                 a member that sent groupHeartbeat on this connection
 *   credit: { records: int ≥ 0, bytes: int ≥ 0 }     the initial credit of the pool
 *   autoOffsetReset?: "earliest" | "latest" | "none" = "latest"
 *                                    where a partition without a committed offset (or with one outside
 *                                    the log) starts; "none": an error push naming the partition
 *   format?: "batches" | "records" = "batches"
 *   valueEncoding?: "bytes" | "utf8" = "bytes"
 *
 * GroupSubscribeResponse =>
 *   id: uint
 *   sub: uint                        named by the pushes of every partition (with topic and partition)
 *   groupId: string
 *   memberId: string
 *   assignment: [{ topic: string, partitions: [int32] }]    what the member owns now
 * ```
 * Errors: UNKNOWN_MEMBER_ID (not a member, or its heartbeats come on another connection),
 * RESOURCE_LIMIT_EXCEEDED (limits.maxSubscriptions: a group subscription counts as one),
 * INVALID_REQUEST (the member already has a group subscription on this connection).
 *
 * @example
 * ```ts
 * decodeGroupSubscribeRequest({ id: 21, op: "groupSubscribe", groupId: "billing", memberId: "c-1",
 *   credit: { records: 1000, bytes: 1048576 }, autoOffsetReset: "earliest" });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { type Fields, INT53_MAX } from "../fields.ts";
import { readRecordFormat, readValueEncoding, type RecordFormat, type ValueEncoding } from "../record-view.ts";
import type { WireTopicPartitions } from "../topic-partitions.ts";
import type { CreditAmount } from "./subscribe.ts";

/** Kafka's `auto.offset.reset` values. */
export type AutoOffsetResetPolicy = "earliest" | "latest" | "none";

/** A decoded `groupSubscribe` request. */
export interface GroupSubscribeRequest {
  id: RequestId;
  op: "groupSubscribe";
  groupId: string;
  memberId: string;
  credit: CreditAmount;
  autoOffsetReset: AutoOffsetResetPolicy;
  format: RecordFormat;
  valueEncoding: ValueEncoding;
}

/** The reply to `groupSubscribe`. */
export interface GroupSubscribeResponse {
  id: RequestId;
  sub: number;
  groupId: string;
  memberId: string;
  assignment: WireTopicPartitions[];
}

const POLICIES: readonly AutoOffsetResetPolicy[] = ["earliest", "latest", "none"];

/**
 * Validates a decoded `groupSubscribe` frame.
 *
 * @example
 * ```ts
 * decodeGroupSubscribeRequest({ id: 21, op: "groupSubscribe", groupId: "g", memberId: "m", credit: { records: 1, bytes: 1 }, autoOffsetReset: "smallest" });
 * // throws naming autoOffsetReset
 * ```
 */
export function decodeGroupSubscribeRequest(frame: unknown): GroupSubscribeRequest {
  const { id, fields } = openRequest(frame, "groupSubscribe");
  const groupId = fields.string("groupId");
  const memberId = fields.string("memberId");
  const c = fields.map("credit");
  const credit = { records: c.int("records", 0, INT53_MAX), bytes: c.int("bytes", 0, INT53_MAX) };
  return {
    id,
    op: "groupSubscribe",
    groupId,
    memberId,
    credit,
    autoOffsetReset: readPolicy(fields),
    format: readRecordFormat(fields),
    valueEncoding: readValueEncoding(fields),
  };
}

/**
 * Builds the reply to `groupSubscribe`.
 *
 * @example
 * ```ts
 * groupSubscribeResponse(req.id, { sub: 3, groupId: "g", memberId: "m", assignment: [{ topic: "t", partitions: [1] }] });
 * ```
 */
export function groupSubscribeResponse(id: RequestId, body: Omit<GroupSubscribeResponse, "id">): GroupSubscribeResponse {
  return { id, ...body };
}

function readPolicy(fields: Fields): AutoOffsetResetPolicy {
  if (!fields.has("autoOffsetReset")) return "latest";
  const value = fields.get("autoOffsetReset");
  if (!POLICIES.includes(value as AutoOffsetResetPolicy)) throw fields.fail("autoOffsetReset", '"earliest", "latest" or "none"');
  return value as AutoOffsetResetPolicy;
}
