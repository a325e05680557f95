/**
 * Kafka's RangeAssignor: per topic, the members subscribed to it (in Kafka's member order) get
 * contiguous ranges of partitions; the first `partitions % members` get one more.
 *
 * @example
 * ```ts
 * rangeAssignor.assign({
 *   members: ["a", "b"].map((memberId) => ({ memberId, topics: new Set(["t"]), current: new Map() })),
 *   partitionsPerTopic: new Map([["t", 3]]),
 * }); // a → t[0, 1], b → t[2]
 * ```
 * @module
 */
import { addPartition } from "../topic-partitions.ts";
import { type Assignor, compareMembers, emptyAssignment, subscribedTopics } from "./assignor.ts";

/**
 * The range assignor ("range").
 *
 * @example
 * ```ts
 * const target = rangeAssignor.assign(input);
 * ```
 */
export const rangeAssignor: Assignor = {
  name: "range",
  assign(input) {
    const out = emptyAssignment(input.members);
    const sorted = [...input.members].sort(compareMembers);
    for (const [topic, n] of subscribedTopics(input)) {
      const consumers = sorted.filter((m) => m.topics.has(topic));
      const perConsumer = Math.floor(n / consumers.length);
      const withExtra = n % consumers.length;
      consumers.forEach((m, i) => {
        const start = perConsumer * i + Math.min(i, withExtra);
        const length = perConsumer + (i < withExtra ? 1 : 0);
        for (let p = start; p < start + length; p++) addPartition(out.get(m.memberId)!, topic, p);
      });
    }
    return out;
  },
};
