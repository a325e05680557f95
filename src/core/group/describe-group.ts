/**
 * The describeGroups answer for one group, and for a group that does not exist (`Dead`,
 * GROUP_ID_NOT_FOUND), as Kafka's DescribeGroups reports it.
 *
 * @example
 * ```ts
 * const d = group === undefined ? deadGroup("g") : describeGroup(group);
 * console.log(d.state, d.members.map((m) => m.memberId));
 * ```
 * @module
 */
import type { ConsumerGroup } from "./consumer-group.ts";
import type { GroupDescription } from "./coordinator-types.ts";
import { compareStrings, toTopicPartitions } from "./topic-partitions.ts";

/**
 * Describes an existing group; members sorted by member id.
 *
 * @example
 * ```ts
 * describeGroup(group).assignor; // "uniform"
 * ```
 */
export function describeGroup(group: ConsumerGroup): GroupDescription {
  const members = [...group.members.values()].sort((a, b) => compareStrings(a.memberId, b.memberId));
  return {
    groupId: group.groupId,
    state: group.state(),
    protocolType: "consumer",
    assignor: group.members.size === 0 ? "" : group.assignorName,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.targetEpoch,
    members: members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      host: m.host,
      memberEpoch: m.leftStatic ? -2 : m.memberEpoch,
      assignment: toTopicPartitions(m.assigned),
      targetAssignment: toTopicPartitions(group.targetOf(m.memberId)),
      subscribedTopics: [...m.subscribedTopics],
      subscribedPattern: m.subscribedPattern,
    })),
  };
}

/**
 * The answer for a group that does not exist.
 *
 * @example
 * ```ts
 * deadGroup("nope").error; // "GROUP_ID_NOT_FOUND"
 * ```
 */
export function deadGroup(groupId: string): GroupDescription {
  return { groupId, state: "Dead", protocolType: "consumer", assignor: "", groupEpoch: -1, assignmentEpoch: -1, members: [], error: "GROUP_ID_NOT_FOUND" };
}
