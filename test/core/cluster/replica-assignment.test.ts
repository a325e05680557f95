import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignReplicas, checkReplicaAssignment } from "../../../src/core/cluster/replica-assignment.ts";

describe("assignReplicas()", () => {
  it("places replicas as Kafka's rack-unaware assignment does (its documented 5-broker example)", () => {
    // Kafka's AdminUtils example: start index 0, shift 0, 10 partitions, 3 replicas on brokers 0..4.
    expect(assignReplicas({ brokers: [4, 3, 2, 1, 0], partitions: 10, replicationFactor: 3, fixedStartIndex: 0 })).toEqual([
      [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
      [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
    ]);
  });

  it("starts at a random broker and is deterministic for a given random source", () => {
    const random = () => 0.5; // index 1 of 3 for the start and the shift
    const assignment = assignReplicas({ brokers: [10, 20, 30], partitions: 3, replicationFactor: 2, random });
    expect(assignment).toEqual([[20, 10], [30, 20], [10, 30]]);
    expect(assignReplicas({ brokers: [10, 20, 30], partitions: 3, replicationFactor: 2, random })).toEqual(assignment);
  });

  it("continues the leaders' round robin when partitions are added", () => {
    const all = assignReplicas({ brokers: [1, 2, 3, 4], partitions: 8, replicationFactor: 2, fixedStartIndex: 1 });
    const added = assignReplicas({ brokers: [1, 2, 3, 4], partitions: 3, replicationFactor: 2, fixedStartIndex: 1, startPartition: 5 });
    expect(added.map((r) => r[0])).toEqual(all.slice(5, 8).map((r) => r[0]));
    expect(added).toEqual([[3, 1], [4, 2], [1, 3]]); // the shift restarts at the fixed start, as in Kafka
  });

  it("spreads leaders evenly and never puts two replicas of a partition on one broker", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (brokers, partitions, rf, r) => {
          fc.pre(rf <= brokers.length);
          const assignment = assignReplicas({ brokers, partitions, replicationFactor: rf, random: () => r });
          expect(assignment).toHaveLength(partitions);
          for (const replicas of assignment) {
            expect(replicas).toHaveLength(rf);
            expect(new Set(replicas).size).toBe(rf);
            for (const id of replicas) expect(brokers).toContain(id);
          }
          const leaders = new Map<number, number>();
          for (const [leader] of assignment) leaders.set(leader!, (leaders.get(leader!) ?? 0) + 1);
          const counts = brokers.map((id) => leaders.get(id) ?? 0);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it("refuses more replicas than brokers, and counts below 1", () => {
    expect(() => assignReplicas({ brokers: [1, 2], partitions: 1, replicationFactor: 3 })).toThrow(
      expect.objectContaining({ code: "INVALID_REPLICATION_FACTOR", message: "Replication factor: 3 larger than available brokers: 2." }),
    );
    expect(() => assignReplicas({ brokers: [1], partitions: 0, replicationFactor: 1 })).toThrow(expect.objectContaining({ code: "INVALID_PARTITIONS" }));
    expect(() => assignReplicas({ brokers: [1], partitions: 1, replicationFactor: 0 })).toThrow(expect.objectContaining({ code: "INVALID_REPLICATION_FACTOR" }));
  });
});

describe("checkReplicaAssignment()", () => {
  it("accepts a consistent assignment on live brokers and answers its replication factor", () => {
    expect(checkReplicaAssignment([[1, 2], [2, 3]], [1, 2, 3])).toBe(2);
  });

  it("names what is wrong with a bad one", () => {
    const cases: [number[][], string][] = [
      [[], "at least one partition"],
      [[[1, 1]], "duplicate"],
      [[[1, 2], [1]], "has 1 replicas while partition 0 has 2"],
      [[[1, 9]], "broker(s) 9"],
      [[[]], "no replicas"],
    ];
    for (const [assignment, message] of cases) {
      expect(() => checkReplicaAssignment(assignment, [1, 2, 3])).toThrow(
        expect.objectContaining({ code: "INVALID_REPLICA_ASSIGNMENT", message: expect.stringContaining(message) }),
      );
    }
  });
});
