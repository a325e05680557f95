/**
 * `describeGroups`: the state, assignor and members of consumer groups (Kafka's DescribeGroups and
 * ConsumerGroupDescribe; `kafka-consumer-groups --describe --members` / `--state`). Each member
 * comes with its id, client id, host (the address its heartbeats come from, as Kafka prints it:
 * `/10.0.0.7`) and the partitions it owns. A group the broker does not know is `Dead` with the
 * error GROUP_ID_NOT_FOUND.
 *
 * ```
 * DescribeGroupsRequest =>
 *   id: uint
 *   op: "describeGroups"
 *   groupIds: [string]               at least one; no id twice
 *
 * DescribeGroupsResponse =>
 *   id: uint
 *   groups: [{                       in request order
 *     groupId: string
 *     state: GroupState              "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead"
 *     protocolType: "consumer"
 *     assignor: string               of the current assignment; "" before the first one
 *     groupEpoch: int32              -1 for a Dead group
 *     assignmentEpoch: int32
 *     members: [{                    sorted by memberId
 *       memberId: string
 *       instanceId: string | null
 *       clientId: string
 *       host: string
 *       memberEpoch: int32
 *       assignment: [{ topic, partitions }]        what it owns now
 *       targetAssignment: [{ topic, partitions }]  what it will own once the rebalance completes
 *       subscribedTopics: [string]
 *       subscribedPattern: string | null
 *     }]
 *     error?: WireError              GROUP_ID_NOT_FOUND, INVALID_GROUP_ID
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeDescribeGroupsRequest({ id: 25, op: "describeGroups", groupIds: ["billing"] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { readString, rejectDuplicates } from "../fields.ts";
import type { WireTopicPartitions } from "../topic-partitions.ts";
import type { GroupState } from "./list-groups.ts";

/** A decoded `describeGroups` request. */
export interface DescribeGroupsRequest {
  id: RequestId;
  op: "describeGroups";
  groupIds: string[];
}

/** One member of a described group. */
export interface WireMemberDescription {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  host: string;
  memberEpoch: number;
  assignment: WireTopicPartitions[];
  targetAssignment: WireTopicPartitions[];
  subscribedTopics: string[];
  subscribedPattern: string | null;
}

/** One described group. */
export interface WireGroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: "consumer";
  assignor: string;
  groupEpoch: number;
  assignmentEpoch: number;
  members: WireMemberDescription[];
  error?: WireError;
}

/** The reply to `describeGroups`. */
export interface DescribeGroupsResponse {
  id: RequestId;
  groups: WireGroupDescription[];
}

/**
 * Validates a decoded `describeGroups` frame.
 *
 * @example
 * ```ts
 * decodeDescribeGroupsRequest({ id: 25, op: "describeGroups", groupIds: [] }); // throws naming groupIds
 * ```
 */
export function decodeDescribeGroupsRequest(frame: unknown): DescribeGroupsRequest {
  const { id, fields } = openRequest(frame, "describeGroups");
  const groupIds = fields.list("groupIds", readString, 1);
  rejectDuplicates(groupIds, "groupIds");
  return { id, op: "describeGroups", groupIds };
}

/**
 * Builds the reply to `describeGroups`.
 *
 * @example
 * ```ts
 * describeGroupsResponse(req.id, [{ groupId: "g", state: "Empty", protocolType: "consumer", assignor: "", groupEpoch: 2, assignmentEpoch: 2, members: [] }]);
 * ```
 */
export function describeGroupsResponse(id: RequestId, groups: WireGroupDescription[]): DescribeGroupsResponse {
  return { id, groups };
}
