import { describe, expect, it } from "vitest";
import { partitionForGroup } from "../../../src/core/group/partition-for-group.ts";
import { startCoordinator } from "./helpers.ts";

describe("GroupCoordinator.loadPartition()", () => {
  it("takes in the commits another coordinator wrote to the partition, and only those of its groups", async () => {
    const previous = await startCoordinator({ topics: { t: 2 } });
    const next = await previous.restart(); // loaded before the commits below: it knows nothing of them
    const groups = ["billing", "audit", "search", "ledger", "mail"];
    for (const [i, groupId] of groups.entries()) {
      await previous.coordinator.commitOffsets({ groupId, offsets: [{ topic: "t", partition: 0, offset: 10 + i }] });
    }
    const partition = partitionForGroup("billing", 4);
    await next.coordinator.loadPartition(partition);
    for (const [i, groupId] of groups.entries()) {
      const [committed] = next.coordinator.fetchOffsets(groupId, [{ topic: "t", partitions: [0] }]);
      expect(committed!.offset, groupId).toBe(partitionForGroup(groupId, 4) === partition ? 10 + i : -1);
    }
    expect(next.coordinator.listGroups().map((g) => g.groupId)).toContain("billing");
  });

  it("replaces what it held of the partition's groups: a deletion written elsewhere is taken in too", async () => {
    const previous = await startCoordinator({ topics: { t: 1 } });
    await previous.coordinator.commitOffsets({ groupId: "billing", offsets: [{ topic: "t", partition: 0, offset: 5 }] });
    const next = await previous.restart();
    expect(next.coordinator.fetchOffsets("billing")[0]!.offset).toBe(5);
    await previous.coordinator.deleteGroups(["billing"]);
    await next.coordinator.loadPartition(partitionForGroup("billing", 4));
    expect(next.coordinator.fetchOffsets("billing")).toEqual([]);
  });
});
