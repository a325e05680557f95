/**
 * A sticky, balanced assignor, in the spirit of Kafka's server-side "uniform" assignor (and the
 * client-side "sticky"/"cooperative-sticky" ones):
 *
 * 1. each member keeps the partitions of its previous target that it still subscribes to and that
 *    still exist (the first member in Kafka's member order wins a partition two members claim);
 * 2. partitions nobody holds go, in topic/partition order, to the subscribed member holding fewest;
 * 3. while some member holds at least two more partitions than a member that could take one of
 *    them, the last such partition moves to the least loaded of those members.
 *
 * With the same subscription everywhere the result is balanced (member counts differ by at most
 * one) and moves only what balance requires. With different subscriptions it stops at a local
 * balance: no single move can narrow the gap between two members.
 *
 * @example
 * ```ts
 * stickyAssignor.assign({
 *   members: [
 *     { memberId: "a", topics: new Set(["t"]), current: partitionSetOf([{ topic: "t", partitions: [0, 1, 2] }]) },
 *     { memberId: "b", topics: new Set(["t"]), current: new Map() },
 *   ],
 *   partitionsPerTopic: new Map([["t", 3]]),
 * }); // a keeps t0 and t1, b gets t2
 * ```
 * @module
 */
import { addPartition, removePartition, type PartitionSet } from "../topic-partitions.ts";
import { type Assignor, type AssignorMember, compareMembers, emptyAssignment, subscribedTopics } from "./assignor.ts";

/**
 * The sticky assignor, named "uniform" as Kafka's server-side default.
 *
 * @example
 * ```ts
 * const target = stickyAssignor.assign(input);
 * ```
 */
export const stickyAssignor: Assignor = {
  name: "uniform",
  assign(input) {
    const out = emptyAssignment(input.members);
    const members = [...input.members].sort(compareMembers);
    if (members.length === 0) return out;
    const topics = new Map(subscribedTopics(input));
    const count = new Array<number>(members.length).fill(0);
    const owners = new Map<string, Int32Array>();
    for (const [topic, n] of topics) owners.set(topic, new Int32Array(n).fill(-1));
    const give = (i: number, topic: string, p: number): void => {
      owners.get(topic)![p] = i;
      addPartition(out.get(members[i]!.memberId)!, topic, p);
      count[i]!++;
    };

    // 1. Keep what is still valid of the previous target.
    members.forEach((m, i) => {
      for (const [topic, partitions] of m.current) {
        const owner = owners.get(topic);
        if (owner === undefined || !m.topics.has(topic)) continue;
        for (const p of [...partitions].sort((a, b) => a - b)) if (p < owner.length && owner[p] === -1) give(i, topic, p);
      }
    });

    // 2. Hand out what nobody holds, each to the least loaded subscriber.
    for (const [topic, n] of topics) {
      const eligible = members.flatMap((m, i) => (m.topics.has(topic) ? [i] : []));
      const owner = owners.get(topic)!;
      for (let p = 0; p < n; p++) {
        if (owner[p] !== -1) continue;
        let best = eligible[0]!;
        for (const i of eligible) if (count[i]! < count[best]!) best = i;
        give(best, topic, p);
      }
    }

    // 3. Balance: each move lowers the sum of squared counts, so the loop ends.
    while (moveOne(members, out, count)) {
      /* keep moving */
    }
    return out;
  },
};

/** Moves one partition from a loaded member to a member holding at least two fewer; false when none can move. */
function moveOne(members: AssignorMember[], out: Map<string, PartitionSet>, count: number[]): boolean {
  const byLoad = members.map((_, i) => i).sort((a, b) => count[b]! - count[a]! || a - b);
  for (const a of byLoad) {
    const held = out.get(members[a]!.memberId)!;
    let target = -1;
    for (let b = 0; b < members.length; b++) {
      if (count[b]! + 1 >= count[a]! || (target !== -1 && count[b]! >= count[target]!)) continue;
      for (const topic of held.keys()) {
        if (members[b]!.topics.has(topic)) {
          target = b;
          break;
        }
      }
    }
    if (target === -1) continue;
    let pick: [string, number] | undefined;
    for (const [topic, partitions] of held) {
      if (!members[target]!.topics.has(topic)) continue;
      for (const p of partitions) {
        if (pick === undefined || topic > pick[0] || (topic === pick[0] && p > pick[1])) pick = [topic, p];
      }
    }
    const [topic, p] = pick!;
    removePartition(held, topic, p);
    addPartition(out.get(members[target]!.memberId)!, topic, p);
    count[a]!--;
    count[target]!++;
    return true;
  }
  return false;
}
