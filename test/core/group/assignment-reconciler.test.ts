import { describe, expect, it } from "vitest";
import { reconcile } from "../../../src/core/group/assignment-reconciler.ts";
import type { MemberAssignmentState } from "../../../src/core/group/member.ts";
import { partitionSetOf, toTopicPartitions } from "../../../src/core/group/topic-partitions.ts";

const set = (...partitions: number[]) => partitionSetOf([{ topic: "t", partitions }]);
const stable = (epoch: number, ...partitions: number[]): MemberAssignmentState => ({
  memberEpoch: epoch,
  previousMemberEpoch: epoch - 1,
  state: "STABLE",
  assigned: set(...partitions),
  pendingRevocation: new Map(),
});
const nobody = () => false;

describe("reconcile()", () => {
  it("leaves a member at the target epoch alone", () => {
    const m = stable(3, 0);
    expect(reconcile(m, { epoch: 3, partitions: set(0, 1) }, undefined, nobody)).toBe(m);
  });

  it("moves straight to the target epoch when nothing is revoked", () => {
    const next = reconcile(stable(3, 0), { epoch: 4, partitions: set(0, 1) }, undefined, nobody);
    expect(next).toMatchObject({ memberEpoch: 4, previousMemberEpoch: 3, state: "STABLE" });
    expect(toTopicPartitions(next.assigned)).toEqual([{ topic: "t", partitions: [0, 1] }]);
  });

  it("revokes first: keeps the rest, stays at its epoch, gains nothing yet", () => {
    const next = reconcile(stable(3, 0, 1), { epoch: 4, partitions: set(0, 2) }, undefined, nobody);
    expect(next).toMatchObject({ memberEpoch: 3, state: "UNREVOKED_PARTITIONS" });
    expect(toTopicPartitions(next.assigned)).toEqual([{ topic: "t", partitions: [0] }]);
    expect(toTopicPartitions(next.pendingRevocation)).toEqual([{ topic: "t", partitions: [1] }]);
  });

  it("waits while the member still reports a revoked partition, or says nothing", () => {
    const waiting = reconcile(stable(3, 0, 1), { epoch: 4, partitions: set(0, 2) }, undefined, nobody);
    expect(reconcile(waiting, { epoch: 4, partitions: set(0, 2) }, set(0, 1), nobody)).toBe(waiting);
    expect(reconcile(waiting, { epoch: 4, partitions: set(0, 2) }, undefined, nobody)).toBe(waiting);
  });

  it("completes once the member no longer reports the revoked partitions", () => {
    const waiting = reconcile(stable(3, 0, 1), { epoch: 4, partitions: set(0, 2) }, undefined, nobody);
    const next = reconcile(waiting, { epoch: 4, partitions: set(0, 2) }, set(0), nobody);
    expect(next).toMatchObject({ memberEpoch: 4, state: "STABLE" });
    expect(toTopicPartitions(next.assigned)).toEqual([{ topic: "t", partitions: [0, 2] }]);
    expect(next.pendingRevocation.size).toBe(0);
  });

  it("skips the wait when the heartbeat already shows the partitions released", () => {
    const next = reconcile(stable(3, 0, 1), { epoch: 4, partitions: set(0) }, set(0), nobody);
    expect(next).toMatchObject({ memberEpoch: 4, state: "STABLE" });
  });

  it("holds back partitions another member still owns and hands them over once released", () => {
    let owner = true;
    const first = reconcile(stable(3), { epoch: 4, partitions: set(0, 1) }, undefined, (_, p) => owner && p === 1);
    expect(first).toMatchObject({ memberEpoch: 4, state: "UNRELEASED_PARTITIONS" });
    expect(toTopicPartitions(first.assigned)).toEqual([{ topic: "t", partitions: [0] }]);
    owner = false;
    const second = reconcile(first, { epoch: 4, partitions: set(0, 1) }, undefined, () => owner);
    expect(second).toMatchObject({ memberEpoch: 4, previousMemberEpoch: 3, state: "STABLE" });
    expect(toTopicPartitions(second.assigned)).toEqual([{ topic: "t", partitions: [0, 1] }]);
  });
});
