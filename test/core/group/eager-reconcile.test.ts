import { describe, expect, it } from "vitest";
import type { HeartbeatRequest } from "../../../src/core/group/coordinator-types.ts";
import { createGroupCoordinator, type GroupCoordinator } from "../../../src/core/group/group-coordinator.ts";
import { memoryOffsetsStore } from "../../../src/core/group/offsets-store.ts";
import type { TopicPartitions } from "../../../src/core/group/topic-partitions.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";

type Change = { memberId: string; assignment: TopicPartitions[] };

async function start(reconcileEagerly: boolean, partitions: number): Promise<{ coordinator: GroupCoordinator; changes: Change[] }> {
  const changes: Change[] = [];
  const coordinator = createGroupCoordinator({
    clock: manualClock(1_700_000_000_000),
    offsetsLog: memoryOffsetsStore(),
    topics: { partitionsOf: (t) => (t === "t" ? partitions : undefined), listTopics: () => ["t"] },
    config: { initialRebalanceDelayMs: 0 },
    reconcileEagerly,
    onAssignmentChange: (_groupId, memberId, assignment) => changes.push({ memberId, assignment }),
  });
  await coordinator.load();
  return { coordinator, changes };
}

const base = { groupId: "g", clientId: "c", host: "/10.0.0.1" };
const join = (): HeartbeatRequest => ({ ...base, memberEpoch: 0, subscribedTopics: ["t"] });

describe("reconcileEagerly", () => {
  it("a join revokes partitions from the other member at once, and its acknowledgement hands them over at once", async () => {
    const { coordinator, changes } = await start(true, 2);
    const a = coordinator.heartbeat(join());
    expect(a.assignment).toEqual([{ topic: "t", partitions: [0, 1] }]);
    changes.length = 0;
    const b = coordinator.heartbeat(join());
    expect(b.assignment).toEqual([]);
    // A heard of its revocation without a heartbeat of its own.
    expect(changes.filter((c) => c.memberId === a.memberId)).toEqual([{ memberId: a.memberId, assignment: [{ topic: "t", partitions: [0] }] }]);
    changes.length = 0;
    coordinator.heartbeat({ ...base, memberId: a.memberId, memberEpoch: a.memberEpoch, ownedPartitions: [{ topic: "t", partitions: [0] }] });
    // B heard of the released partition without a heartbeat of its own.
    expect(changes.find((c) => c.memberId === b.memberId)).toEqual({ memberId: b.memberId, assignment: [{ topic: "t", partitions: [1] }] });
  });

  it("a member whose epoch moves without new partitions is told, and its next heartbeat with that epoch is accepted", async () => {
    const { coordinator, changes } = await start(true, 1);
    const a = coordinator.heartbeat(join());
    changes.length = 0;
    coordinator.heartbeat(join());
    coordinator.heartbeat(join());
    const toA = changes.filter((c) => c.memberId === a.memberId);
    expect(toA).toHaveLength(2);
    const epoch = coordinator.describeGroups(["g"])[0]!.members.find((m) => m.memberId === a.memberId)!.memberEpoch;
    expect(epoch).toBeGreaterThan(a.memberEpoch);
    const again = coordinator.heartbeat({ ...base, memberId: a.memberId, memberEpoch: epoch, ownedPartitions: a.assignment });
    expect(again.assignment).toEqual([{ topic: "t", partitions: [0] }]);
  });

  it("without it, another member's assignment changes only in its own heartbeat", async () => {
    const { coordinator, changes } = await start(false, 2);
    const a = coordinator.heartbeat(join());
    changes.length = 0;
    coordinator.heartbeat(join());
    expect(changes.filter((c) => c.memberId === a.memberId)).toEqual([]);
  });
});
