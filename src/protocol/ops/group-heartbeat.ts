/**
 * `groupHeartbeat`: joins a consumer group, stays in it, and leaves it, in one op, as Kafka's
 * ConsumerGroupHeartbeat (KIP-848): the broker assigns partitions (server-side assignor) and each
 * heartbeat answers the member's whole current assignment. Between heartbeats the broker pushes an
 * `assignment` frame (push.ts) whenever the member's assignment changes.
 *
 * ```
 * GroupHeartbeatRequest =>
 *   id: uint
 *   op: "groupHeartbeat"
 *   groupId: string
 *   memberId?: string                absent on a first join (the broker makes one); required otherwise
 *   memberEpoch: int32 ≥ -2          0: join; the epoch last received: heartbeat; -1: leave; -2: a static member leaves for now
 *   instanceId?: string              group.instance.id of a static member
 *   clientId?: string                default: the clientId of hello
 *   subscribedTopics?: [string]      required on a first join unless subscribedPattern is given;
 *   subscribedPattern?: string       a regular expression over whole topic names; either replaces the subscription
 *   assignor?: string                "uniform" (also "sticky", "cooperative-sticky"), "range" or "roundrobin"
 *   ownedPartitions?: [{ topic: string, partitions: [int32] }]
 *                                    what the member owns now; leaving a revoked partition out acknowledges the revocation
 *   sessionTimeoutMs?: int32 ≥ 1     within group.min/max.session.timeout.ms; default 45000
 *   rebalanceTimeoutMs?: int32 ≥ 1   time to release revoked partitions; default 300000
 *
 * GroupHeartbeatResponse =>
 *   id: uint
 *   groupId: string
 *   memberId: string
 *   memberEpoch: int32               -1 after a leave, -2 after a static leave
 *   heartbeatIntervalMs: int32       heartbeat at least this often
 *   assignment: [{ topic: string, partitions: [int32] }]    every partition the member may consume now
 * ```
 * Errors: INVALID_GROUP_ID, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH (rejoin with memberEpoch 0),
 * FENCED_INSTANCE_ID, UNSUPPORTED_ASSIGNOR, INVALID_SESSION_TIMEOUT, INVALID_REGULAR_EXPRESSION,
 * GROUP_MAX_SIZE_REACHED, COORDINATOR_LOAD_IN_PROGRESS, INVALID_REQUEST.
 *
 * @example
 * ```ts
 * decodeGroupHeartbeatRequest({ id: 20, op: "groupHeartbeat", groupId: "billing", memberEpoch: 0, subscribedTopics: ["orders"] });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT32_MAX, readString } from "../fields.ts";
import { readTopicPartitionsList, type WireTopicPartitions } from "../topic-partitions.ts";

/** A decoded `groupHeartbeat` request; optional fields the client left out are undefined. */
export interface GroupHeartbeatRequest {
  id: RequestId;
  op: "groupHeartbeat";
  groupId: string;
  memberId: string | undefined;
  memberEpoch: number;
  instanceId: string | undefined;
  clientId: string | undefined;
  subscribedTopics: string[] | undefined;
  subscribedPattern: string | undefined;
  assignor: string | undefined;
  ownedPartitions: WireTopicPartitions[] | undefined;
  sessionTimeoutMs: number | undefined;
  rebalanceTimeoutMs: number | undefined;
}

/** The reply to `groupHeartbeat`. */
export interface GroupHeartbeatResponse {
  id: RequestId;
  groupId: string;
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: WireTopicPartitions[];
}

/**
 * Validates a decoded `groupHeartbeat` frame.
 *
 * @example
 * ```ts
 * decodeGroupHeartbeatRequest({ id: 20, op: "groupHeartbeat", groupId: "g", memberEpoch: -3 }); // throws naming memberEpoch
 * ```
 */
export function decodeGroupHeartbeatRequest(frame: unknown): GroupHeartbeatRequest {
  const { id, fields: f } = openRequest(frame, "groupHeartbeat");
  const optionalPositive = (key: string): number | undefined => (f.has(key) ? f.int(key, 1, INT32_MAX) : undefined);
  return {
    id,
    op: "groupHeartbeat",
    groupId: f.string("groupId"),
    memberId: f.optionalString("memberId"),
    memberEpoch: f.int("memberEpoch", -2, INT32_MAX),
    instanceId: f.optionalString("instanceId"),
    clientId: f.optionalString("clientId"),
    subscribedTopics: f.optionalList("subscribedTopics", readString),
    subscribedPattern: f.optionalString("subscribedPattern"),
    assignor: f.optionalString("assignor"),
    ownedPartitions: f.has("ownedPartitions") ? readTopicPartitionsList(f, "ownedPartitions") : undefined,
    sessionTimeoutMs: optionalPositive("sessionTimeoutMs"),
    rebalanceTimeoutMs: optionalPositive("rebalanceTimeoutMs"),
  };
}

/**
 * Builds the reply to `groupHeartbeat`.
 *
 * @example
 * ```ts
 * groupHeartbeatResponse(req.id, { groupId: "g", memberId: "c-1", memberEpoch: 3, heartbeatIntervalMs: 3000, assignment: [{ topic: "t", partitions: [0] }] });
 * ```
 */
export function groupHeartbeatResponse(id: RequestId, body: Omit<GroupHeartbeatResponse, "id">): GroupHeartbeatResponse {
  return { id, ...body };
}
