/**
 * Moves one member towards its target assignment, incrementally, as Kafka's
 * `CurrentAssignmentBuilder` does (KIP-848): a member keeps what it is not losing; partitions it
 * loses are revoked first (it stays at its epoch until a heartbeat shows it no longer owns them);
 * only then does it reach the target epoch, and a partition it gains is handed over only once no
 * other member owns it (assigned or pending revocation). So a partition never has two owners.
 *
 * @example
 * ```ts
 * const next = reconcile(member, { epoch: 7, partitions: target }, ownedFromHeartbeat, (t, p) => ownerOf(t, p) !== undefined);
 * if (next.state === "UNREVOKED_PARTITIONS") console.log("waiting for the member to release", next.pendingRevocation);
 * ```
 * @module
 */
import type { MemberAssignmentState } from "./member.ts";
import { addPartition, clonePartitionSet, hasPartition, intersects, type PartitionSet } from "./topic-partitions.ts";

/**
 * A member's target: what the assignor gave it at the group's target assignment epoch.
 *
 * @example
 * ```ts
 * const target: MemberTarget = { epoch: 4, partitions: partitionSetOf([{ topic: "t", partitions: [0] }]) };
 * ```
 */
export interface MemberTarget {
  epoch: number;
  partitions: PartitionSet;
}

/**
 * The member's next state. `owned` is what its heartbeat reports owning (undefined when the
 * heartbeat did not say, which counts as still owning everything); `ownedByOther` tells whether a
 * partition is assigned to, or pending revocation from, another member. Pure: the input is not changed.
 *
 * @example
 * ```ts
 * const next = reconcile(
 *   { memberEpoch: 1, previousMemberEpoch: 0, state: "STABLE", assigned: partitionSetOf([{ topic: "t", partitions: [0, 1] }]), pendingRevocation: new Map() },
 *   { epoch: 2, partitions: partitionSetOf([{ topic: "t", partitions: [0] }]) },
 *   undefined,
 *   () => false,
 * ); // UNREVOKED_PARTITIONS at epoch 1: keeps t0, must release t1
 * ```
 */
export function reconcile(
  member: MemberAssignmentState,
  target: MemberTarget,
  owned: PartitionSet | undefined,
  ownedByOther: (topic: string, partition: number) => boolean,
): MemberAssignmentState {
  switch (member.state) {
    case "STABLE":
      return member.memberEpoch === target.epoch ? member : next(member, target, owned, ownedByOther);
    case "UNREVOKED_PARTITIONS":
      if (owned === undefined || intersects(owned, member.pendingRevocation)) return member;
      return next({ ...member, pendingRevocation: new Map() }, target, owned, ownedByOther);
    case "UNRELEASED_PARTITIONS":
      return next(member, target, owned, ownedByOther);
  }
}

function next(
  member: MemberAssignmentState,
  target: MemberTarget,
  owned: PartitionSet | undefined,
  ownedByOther: (topic: string, partition: number) => boolean,
): MemberAssignmentState {
  const kept: PartitionSet = new Map();
  const revoking: PartitionSet = new Map();
  for (const [topic, partitions] of member.assigned) {
    for (const p of partitions) addPartition(hasPartition(target.partitions, topic, p) ? kept : revoking, topic, p);
  }
  const gained: PartitionSet = new Map();
  let unreleased = false;
  for (const [topic, partitions] of target.partitions) {
    for (const p of partitions) {
      if (hasPartition(kept, topic, p)) continue;
      if (ownedByOther(topic, p)) unreleased = true;
      else addPartition(gained, topic, p);
    }
  }
  if (revoking.size > 0 && (owned === undefined || intersects(owned, revoking))) {
    return { ...member, state: "UNREVOKED_PARTITIONS", assigned: kept, pendingRevocation: revoking };
  }
  const assigned = clonePartitionSet(kept);
  for (const [topic, partitions] of gained) for (const p of partitions) addPartition(assigned, topic, p);
  const epochChanged = member.memberEpoch !== target.epoch;
  return {
    memberEpoch: target.epoch,
    previousMemberEpoch: epochChanged ? member.memberEpoch : member.previousMemberEpoch,
    state: unreleased ? "UNRELEASED_PARTITIONS" : "STABLE",
    assigned,
    pendingRevocation: new Map(),
  };
}
