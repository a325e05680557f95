import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignorByName, chooseAssignor, rangeAssignor, roundRobinAssignor, stickyAssignor } from "../../../src/core/group/assignors/index.ts";
import type { AssignmentInput, Assignor, AssignorMember } from "../../../src/core/group/assignors/assignor.ts";
import { partitionCount, partitionSetOf, type PartitionSet, toTopicPartitions } from "../../../src/core/group/topic-partitions.ts";

const member = (memberId: string, topics: string[], current: Record<string, number[]> = {}, instanceId?: string): AssignorMember => ({
  memberId,
  topics: new Set(topics),
  current: partitionSetOf(Object.entries(current).map(([topic, partitions]) => ({ topic, partitions }))),
  ...(instanceId === undefined ? {} : { instanceId }),
});

/** An assignment as { member: ["t-0", ...] }. */
function flat(result: Map<string, PartitionSet>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [m, set] of result) out[m] = toTopicPartitions(set).flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
  return out;
}

const twoByTwo: AssignmentInput = {
  members: [member("C1", ["t0", "t1"]), member("C0", ["t0", "t1"])],
  partitionsPerTopic: new Map([["t0", 3], ["t1", 3]]),
};

describe("rangeAssignor", () => {
  it("gives each member contiguous ranges per topic, as Kafka's RangeAssignor documents", () => {
    expect(flat(rangeAssignor.assign(twoByTwo))).toEqual({ C0: ["t0-0", "t0-1", "t1-0", "t1-1"], C1: ["t0-2", "t1-2"] });
  });

  it("puts static members first, ordered by instance id", () => {
    const result = rangeAssignor.assign({
      members: [member("a", ["t"]), member("z", ["t"], {}, "i-2"), member("y", ["t"], {}, "i-1")],
      partitionsPerTopic: new Map([["t", 3]]),
    });
    expect(flat(result)).toEqual({ a: ["t-2"], z: ["t-1"], y: ["t-0"] });
  });

  it("leaves members beyond the partition count idle", () => {
    const result = rangeAssignor.assign({ members: ["a", "b", "c", "d"].map((m) => member(m, ["t"])), partitionsPerTopic: new Map([["t", 3]]) });
    expect(flat(result)).toEqual({ a: ["t-0"], b: ["t-1"], c: ["t-2"], d: [] });
  });
});

describe("roundRobinAssignor", () => {
  it("deals sorted topic-partitions in turn, as Kafka's RoundRobinAssignor documents", () => {
    expect(flat(roundRobinAssignor.assign(twoByTwo))).toEqual({ C0: ["t0-0", "t0-2", "t1-1"], C1: ["t0-1", "t1-0", "t1-2"] });
  });

  it("skips members not subscribed to a topic (Kafka's example with different subscriptions)", () => {
    const result = roundRobinAssignor.assign({
      members: [member("C0", ["t0"]), member("C1", ["t0", "t1"]), member("C2", ["t0", "t1", "t2"])],
      partitionsPerTopic: new Map([["t0", 1], ["t1", 2], ["t2", 3]]),
    });
    expect(flat(result)).toEqual({ C0: ["t0-0"], C1: ["t1-0"], C2: ["t1-1", "t2-0", "t2-1", "t2-2"] });
  });
});

describe("stickyAssignor", () => {
  it("balances a fresh group", () => {
    const result = stickyAssignor.assign({ members: ["a", "b", "c"].map((m) => member(m, ["t"])), partitionsPerTopic: new Map([["t", 7]]) });
    expect(Object.values(flat(result)).map((ps) => ps.length).sort()).toEqual([2, 2, 3]);
  });

  it("moves only what a new member needs when it joins", () => {
    const result = stickyAssignor.assign({
      members: [member("a", ["t"], { t: [0, 1, 2] }), member("b", ["t"], { t: [3, 4, 5] }), member("c", ["t"])],
      partitionsPerTopic: new Map([["t", 6]]),
    });
    const out = flat(result);
    expect(out.c).toHaveLength(2);
    expect(out.a!.every((p) => ["t-0", "t-1", "t-2"].includes(p))).toBe(true);
    expect(out.b!.every((p) => ["t-3", "t-4", "t-5"].includes(p))).toBe(true);
    expect(out.a).toHaveLength(2);
  });

  it("spreads a departed member's partitions and keeps everyone else's", () => {
    const result = stickyAssignor.assign({
      members: [member("a", ["t"], { t: [0, 1] }), member("b", ["t"], { t: [2, 3] })],
      partitionsPerTopic: new Map([["t", 6]]), // c owned 4 and 5 and left
    });
    expect(flat(result)).toEqual({ a: ["t-0", "t-1", "t-4"], b: ["t-2", "t-3", "t-5"] });
  });

  it("keeps a balanced previous assignment exactly and leaves extra members idle", () => {
    const result = stickyAssignor.assign({
      members: [member("a", ["t"], { t: [2] }), member("b", ["t"], { t: [0] }), member("c", ["t"], { t: [1] }), member("d", ["t"])],
      partitionsPerTopic: new Map([["t", 3]]),
    });
    expect(flat(result)).toEqual({ a: ["t-2"], b: ["t-0"], c: ["t-1"], d: [] });
  });

  it("drops partitions of topics a member no longer subscribes to, or that shrank", () => {
    const result = stickyAssignor.assign({
      members: [member("a", ["u"], { t: [0], u: [5] }), member("b", ["t", "u"])],
      partitionsPerTopic: new Map([["t", 1], ["u", 2]]),
    });
    expect(flat(result)).toEqual({ a: ["u-0", "u-1"], b: ["t-0"] });
  });

  it("assigns every partition exactly once to a subscriber, balanced when subscriptions match (property)", () => {
    const arbitrary = fc.record({
      memberCount: fc.integer({ min: 1, max: 6 }),
      partitions: fc.record({ x: fc.integer({ min: 0, max: 8 }), y: fc.integer({ min: 0, max: 8 }) }),
      homogeneous: fc.boolean(),
      subscriptions: fc.array(fc.constantFrom<string[]>(["x"], ["y"], ["x", "y"]), { minLength: 6, maxLength: 6 }),
      previous: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom("x", "y"), fc.integer({ min: 0, max: 10 })), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ memberCount, partitions, homogeneous, subscriptions, previous }) => {
        const members = Array.from({ length: memberCount }, (_, i) => {
          const current: Record<string, number[]> = {};
          for (const [who, topic, p] of previous) if (who === i) (current[topic] ??= []).push(p);
          return member(`m${i}`, homogeneous ? ["x", "y"] : subscriptions[i]!, current);
        });
        for (const assignor of [stickyAssignor, rangeAssignor, roundRobinAssignor] as Assignor[]) {
          const result = assignor.assign({ members, partitionsPerTopic: new Map(Object.entries(partitions)) });
          const seen = new Map<string, string>();
          for (const m of members) {
            for (const tp of toTopicPartitions(result.get(m.memberId)!)) {
              expect(m.topics.has(tp.topic)).toBe(true);
              for (const p of tp.partitions) {
                expect(p).toBeLessThan(partitions[tp.topic as "x" | "y"]);
                expect(seen.has(`${tp.topic}-${p}`)).toBe(false);
                seen.set(`${tp.topic}-${p}`, m.memberId);
              }
            }
          }
          const subscribed = new Set(members.flatMap((m) => [...m.topics]));
          const total = [...subscribed].reduce((n, t) => n + partitions[t as "x" | "y"], 0);
          expect(seen.size).toBe(total);
          if (homogeneous && assignor !== rangeAssignor) {
            const counts = members.map((m) => partitionCount(result.get(m.memberId)!));
            expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("assignor names", () => {
  it("maps Kafka's names and aliases to the three assignors", () => {
    expect(assignorByName("uniform")).toBe(stickyAssignor);
    expect(assignorByName("sticky")).toBe(stickyAssignor);
    expect(assignorByName("cooperative-sticky")).toBe(stickyAssignor);
    expect(assignorByName("range")).toBe(rangeAssignor);
    expect(assignorByName("roundrobin")).toBe(roundRobinAssignor);
    expect(assignorByName("toString")).toBeUndefined();
  });

  it("chooseAssignor() takes the most preferred, the default when none is named", () => {
    expect(chooseAssignor([undefined]).name).toBe("uniform");
    expect(chooseAssignor(["range", "roundrobin", "range"]).name).toBe("range");
    expect(chooseAssignor(["range", "uniform"]).name).toBe("uniform");
  });
});
