/**
 * The requests and answers of the group coordinator's API, close to Kafka's
 * (ConsumerGroupHeartbeat, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups).
 *
 * @example
 * ```ts
 * const join: HeartbeatRequest = { groupId: "g", memberEpoch: 0, clientId: "c", host: "/10.0.0.7", subscribedTopics: ["orders"] };
 * ```
 * @module
 */
import type { ErrorCode } from "../errors.ts";
import type { GroupStateName } from "./group-state.ts";
import type { TopicPartitions } from "./topic-partitions.ts";

/**
 * The member epoch that leaves the group for good (KIP-848).
 *
 * @example
 * ```ts
 * coordinator.heartbeat({ groupId, memberId, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, clientId, host });
 * ```
 */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;

/**
 * The member epoch with which a static member leaves for a moment: its partitions wait for it
 * until its session times out.
 *
 * @example
 * ```ts
 * coordinator.heartbeat({ groupId, memberId, instanceId: "i-1", memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, clientId, host });
 * ```
 */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/**
 * One ConsumerGroupHeartbeat: a join (memberEpoch 0), a heartbeat (the member's epoch) or a leave
 * (-1; -2 for a static member that comes back). Fields left out keep their previous value.
 *
 * @example
 * ```ts
 * const hb: HeartbeatRequest = { groupId: "g", memberId, memberEpoch: 3, clientId: "c", host: "h", ownedPartitions: [{ topic: "t", partitions: [0] }] };
 * ```
 */
export interface HeartbeatRequest {
  groupId: string;
  /** Absent on a first join (the coordinator makes one); a client-made id is accepted on join too. */
  memberId?: string;
  memberEpoch: number;
  /** `group.instance.id` of a static member. */
  instanceId?: string;
  clientId: string;
  /** The client's address as Kafka's tools print it, e.g. "/10.0.0.7". */
  host: string;
  /** Topics by name. Giving either subscription field replaces the whole subscription. */
  subscribedTopics?: string[];
  /** A regular expression over whole topic names. */
  subscribedPattern?: string;
  /** "uniform" (also "sticky", "cooperative-sticky"), "range" or "roundrobin". */
  assignor?: string;
  /**
   * What the member owns now. It acknowledges revocations: a partition the coordinator revoked
   * stays the member's (and nobody else's) until a heartbeat no longer lists it.
   */
  ownedPartitions?: TopicPartitions[];
  rebalanceTimeoutMs?: number;
  sessionTimeoutMs?: number;
}

/**
 * The answer to a heartbeat: the member's id, its epoch and everything it may consume now.
 *
 * @example
 * ```ts
 * const { memberId, memberEpoch, assignment } = coordinator.heartbeat(join);
 * ```
 */
export interface HeartbeatResponse {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** The member's full current assignment (partitions it no longer finds here are revoked). */
  assignment: TopicPartitions[];
}

/**
 * One offset to commit.
 *
 * @example
 * ```ts
 * const o: OffsetToCommit = { topic: "orders", partition: 0, offset: 42, metadata: "batch-7" };
 * ```
 */
export interface OffsetToCommit {
  topic: string;
  partition: number;
  /** The next offset to consume. */
  offset: number;
  metadata?: string;
  /** The leader epoch of the last consumed record, -1 (default) when unknown. */
  leaderEpoch?: number;
}

/**
 * An OffsetCommit. A member commits with its `memberEpoch` (a mismatch is FENCED_MEMBER_EPOCH) or,
 * as a classic client, its `generationId` (a mismatch is ILLEGAL_GENERATION). Without a member id
 * and with a negative (or no) epoch it is a commit of a client outside group management, allowed
 * while the group has no members.
 *
 * @example
 * ```ts
 * await coordinator.commitOffsets({ groupId: "g", memberId, memberEpoch: 3, offsets: [{ topic: "t", partition: 0, offset: 10 }] });
 * ```
 */
export interface CommitOffsetsRequest {
  groupId: string;
  memberId?: string;
  memberEpoch?: number;
  generationId?: number;
  offsets: OffsetToCommit[];
}

/**
 * A committed offset as OffsetFetch returns it; `offset` is -1 ({@link NO_OFFSET}) when there is none.
 *
 * @example
 * ```ts
 * const [o] = coordinator.fetchOffsets("g", [{ topic: "t", partitions: [0] }]);
 * if (o!.offset === NO_OFFSET) console.log("apply auto.offset.reset");
 * ```
 */
export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  /** When it was committed; -1 when there is no offset. */
  commitTimestamp: number;
}

/**
 * The "no committed offset" answer of OffsetFetch.
 *
 * @example
 * ```ts
 * if (fetched.offset === NO_OFFSET) reset();
 * ```
 */
export const NO_OFFSET = -1;

/**
 * Which partitions to fetch: a topic and its partitions (all committed ones when left out).
 *
 * @example
 * ```ts
 * const which: PartitionsQuery[] = [{ topic: "orders", partitions: [0, 1] }, { topic: "payments" }];
 * ```
 */
export interface PartitionsQuery {
  topic: string;
  partitions?: number[];
}

/**
 * A group in listGroups.
 *
 * @example
 * ```ts
 * coordinator.listGroups().map((g: GroupListing) => `${g.groupId} ${g.state}`);
 * ```
 */
export interface GroupListing {
  groupId: string;
  state: GroupStateName;
  protocolType: "consumer";
}

/**
 * A member in describeGroups.
 *
 * @example
 * ```ts
 * const m: MemberDescription = description.members[0]!;
 * console.log(m.memberId, m.clientId, m.host, m.assignment);
 * ```
 */
export interface MemberDescription {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  host: string;
  memberEpoch: number;
  /** What the member owns now. */
  assignment: TopicPartitions[];
  /** What it will own once reconciled. */
  targetAssignment: TopicPartitions[];
  subscribedTopics: string[];
  subscribedPattern: string | null;
}

/**
 * A group in describeGroups; an unknown group is `Dead` with `error: "GROUP_ID_NOT_FOUND"`.
 *
 * @example
 * ```ts
 * const [d] = coordinator.describeGroups(["g"]);
 * console.log(d!.state, d!.assignor, d!.members.length);
 * ```
 */
export interface GroupDescription {
  groupId: string;
  state: GroupStateName;
  protocolType: "consumer";
  /** The assignor of the current target assignment; "" before the first one. */
  assignor: string;
  groupEpoch: number;
  assignmentEpoch: number;
  members: MemberDescription[];
  error?: ErrorCode;
}

/**
 * The outcome for one group of deleteGroups.
 *
 * @example
 * ```ts
 * const results: DeleteGroupResult[] = await coordinator.deleteGroups(["g"]);
 * if (results[0]!.error === "NON_EMPTY_GROUP") console.log(results[0]!.message);
 * ```
 */
export interface DeleteGroupResult {
  groupId: string;
  error?: ErrorCode;
  message?: string;
}
