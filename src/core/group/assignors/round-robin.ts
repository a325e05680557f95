/**
 * Kafka's RoundRobinAssignor: every subscribed topic-partition, sorted by topic then partition, goes
 * to the next member (in Kafka's member order, cycling) that subscribes to its topic.
 *
 * @example
 * ```ts
 * roundRobinAssignor.assign({
 *   members: ["a", "b"].map((memberId) => ({ memberId, topics: new Set(["t", "u"]), current: new Map() })),
 *   partitionsPerTopic: new Map([["t", 2], ["u", 1]]),
 * }); // a → t0, u0; b → t1
 * ```
 * @module
 */
import { addPartition } from "../topic-partitions.ts";
import { type Assignor, compareMembers, emptyAssignment, subscribedTopics } from "./assignor.ts";

/**
 * The round-robin assignor ("roundrobin").
 *
 * @example
 * ```ts
 * const target = roundRobinAssignor.assign(input);
 * ```
 */
export const roundRobinAssignor: Assignor = {
  name: "roundrobin",
  assign(input) {
    const out = emptyAssignment(input.members);
    const sorted = [...input.members].sort(compareMembers);
    let next = 0;
    for (const [topic, n] of subscribedTopics(input)) {
      for (let p = 0; p < n; p++) {
        // Some member subscribes to every topic subscribedTopics() lists, so this ends.
        while (!sorted[next % sorted.length]!.topics.has(topic)) next++;
        addPartition(out.get(sorted[next % sorted.length]!.memberId)!, topic, p);
        next++;
      }
    }
    return out;
  },
};
