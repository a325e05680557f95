/**
 * What a server-side assignor is given and returns. The coordinator computes every group's target
 * assignment itself (KIP-848), so clients carry no assignor.
 *
 * @example
 * ```ts
 * const target = rangeAssignor.assign({
 *   members: [{ memberId: "a", topics: new Set(["t"]), current: new Map() }],
 *   partitionsPerTopic: new Map([["t", 3]]),
 * });
 * target.get("a"); // t → {0, 1, 2}
 * ```
 * @module
 */
import { compareStrings, type PartitionSet } from "../topic-partitions.ts";

/**
 * One member as an assignor sees it.
 *
 * @example
 * ```ts
 * const m: AssignorMember = { memberId: "c-1", instanceId: null, topics: new Set(["orders"]), current: new Map() };
 * ```
 */
export interface AssignorMember {
  memberId: string;
  /** `group.instance.id` of a static member; static members sort first, by instance id, as in Kafka. */
  instanceId?: string | null;
  /** The topics the member subscribes to. Topics missing from `partitionsPerTopic` are ignored. */
  topics: ReadonlySet<string>;
  /** The member's previous target assignment; sticky assignors keep what they can of it. */
  current: PartitionSet;
}

/**
 * The input of {@link Assignor.assign}.
 *
 * @example
 * ```ts
 * const input: AssignmentInput = { members, partitionsPerTopic: new Map([["orders", 6]]) };
 * ```
 */
export interface AssignmentInput {
  members: readonly AssignorMember[];
  /** The partition count of every subscribed topic that exists. */
  partitionsPerTopic: ReadonlyMap<string, number>;
}

/**
 * A server-side partition assignor: a pure function from members and topics to a target assignment
 * with one entry (possibly empty) per member, each partition of a subscribed topic given to exactly
 * one member subscribed to it.
 *
 * @example
 * ```ts
 * const target: Map<string, PartitionSet> = stickyAssignor.assign(input);
 * ```
 */
export interface Assignor {
  /** The name members ask for and describeGroups reports. */
  readonly name: string;
  assign(input: AssignmentInput): Map<string, PartitionSet>;
}

/**
 * Kafka's member order for assignors (`AbstractPartitionAssignor.MemberInfo`): static members
 * first, ordered by instance id, then dynamic members by member id.
 *
 * @example
 * ```ts
 * [{ memberId: "b" }, { memberId: "z", instanceId: "i" }].sort(compareMembers); // z (static) first
 * ```
 */
export function compareMembers(a: Pick<AssignorMember, "memberId" | "instanceId">, b: Pick<AssignorMember, "memberId" | "instanceId">): number {
  const ai = a.instanceId ?? null;
  const bi = b.instanceId ?? null;
  if (ai !== null && bi !== null) return compareStrings(ai, bi) || compareStrings(a.memberId, b.memberId);
  if (ai !== null) return -1;
  if (bi !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/**
 * An empty assignment for every member, to fill in.
 *
 * @example
 * ```ts
 * const out = emptyAssignment(input.members);
 * ```
 */
export function emptyAssignment(members: readonly AssignorMember[]): Map<string, PartitionSet> {
  const out = new Map<string, PartitionSet>();
  for (const m of members) out.set(m.memberId, new Map());
  return out;
}

/**
 * The subscribed topics that exist, sorted, each with its partition count.
 *
 * @example
 * ```ts
 * subscribedTopics(input); // [["orders", 6], ["payments", 3]]
 * ```
 */
export function subscribedTopics(input: AssignmentInput): Array<[string, number]> {
  const topics = new Set<string>();
  for (const m of input.members) for (const t of m.topics) topics.add(t);
  const out: Array<[string, number]> = [];
  for (const t of [...topics].sort(compareStrings)) {
    const n = input.partitionsPerTopic.get(t);
    if (n !== undefined && n > 0) out.push([t, n]);
  }
  return out;
}
