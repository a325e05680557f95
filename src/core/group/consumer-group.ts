/**
 * One consumer group's membership state: its members, the group epoch (bumped by every change of
 * membership, subscription or subscribed topic metadata), the target assignment and its epoch, and
 * who owns each partition now (assigned, or pending revocation), which is what keeps a partition
 * from ever having two owners.
 *
 * @example
 * ```ts
 * const group = new ConsumerGroup("billing");
 * group.addMember(member);
 * group.groupEpoch++;
 * group.setTarget(group.groupEpoch, targets, "uniform");
 * group.ownerOf("orders", 0); // the member id owning orders-0, or undefined
 * ```
 * @module
 */
import type { TimerHandle } from "../ports/clock.ts";
import { type GroupStateName, groupStateOf } from "./group-state.ts";
import type { GroupMember, MemberAssignmentState } from "./member.ts";
import { samePartitions, type PartitionSet } from "./topic-partitions.ts";

/**
 * A consumer group.
 *
 * @example
 * ```ts
 * group.state(); // "Stable"
 * ```
 */
export class ConsumerGroup {
  groupEpoch = 0;
  targetEpoch = 0;
  readonly members = new Map<string, GroupMember>();
  /** group.instance.id → member id of the static members. */
  readonly staticMembers = new Map<string, string>();
  /** The assignor of the last target assignment ("" before the first). */
  assignorName = "";
  /** {@link ResolvedSubscriptions.signature} at the last group epoch bump. */
  subscriptionSignature = "";
  /** The pending first assignment of a new group, while its initial rebalance delay runs. */
  initialDelay: { timer: TimerHandle; deadline: number; lastDeadline: number } | undefined;
  /** Clock time the group last became empty; undefined while members are there or when unknown (after a restart). */
  emptySince: number | undefined;
  private target = new Map<string, PartitionSet>();
  private readonly owners = new Map<string, Map<number, string>>();

  constructor(readonly groupId: string) {}

  /** The state as Kafka's tools name it. */
  state(): GroupStateName {
    let allReconciled = true;
    for (const m of this.members.values()) {
      if (m.leftStatic || m.memberEpoch !== this.targetEpoch || m.state !== "STABLE") allReconciled = false;
    }
    return groupStateOf({
      memberCount: this.members.size,
      assigning: this.initialDelay !== undefined || this.groupEpoch > this.targetEpoch,
      allReconciled,
    });
  }

  /** A member's target partitions (empty when it has none). */
  targetOf(memberId: string): PartitionSet {
    return this.target.get(memberId) ?? new Map();
  }

  /** Every member's target, as the assignor's "current" input. */
  targets(): ReadonlyMap<string, PartitionSet> {
    return this.target;
  }

  /** Installs a new target assignment at `epoch`. */
  setTarget(epoch: number, target: Map<string, PartitionSet>, assignorName: string): void {
    this.target = target;
    this.targetEpoch = epoch;
    this.assignorName = assignorName;
  }

  /** The member owning a partition (assigned or pending revocation), or undefined. */
  ownerOf(topic: string, partition: number): string | undefined {
    return this.owners.get(topic)?.get(partition);
  }

  addMember(member: GroupMember): void {
    this.members.set(member.memberId, member);
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
    this.claim(member);
  }

  /** Removes a member, releasing everything it owned and dropping its target. */
  removeMember(member: GroupMember): void {
    this.release(member);
    this.members.delete(member.memberId);
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === member.memberId) {
      this.staticMembers.delete(member.instanceId);
    }
    this.target.delete(member.memberId);
  }

  /**
   * Puts `replacement` (a new member id for the same static instance) in place of `old`: it takes
   * over the old member's epoch, partitions and target.
   */
  replaceMember(old: GroupMember, replacement: GroupMember): void {
    const target = this.target.get(old.memberId);
    this.removeMember(old);
    replacement.memberEpoch = old.memberEpoch;
    replacement.previousMemberEpoch = old.previousMemberEpoch;
    replacement.state = old.state;
    replacement.assigned = old.assigned;
    replacement.pendingRevocation = old.pendingRevocation;
    this.addMember(replacement);
    if (target !== undefined) this.target.set(replacement.memberId, target);
  }

  /** Applies a reconciliation result; returns whether the member's assigned partitions changed. */
  applyAssignment(member: GroupMember, next: MemberAssignmentState): boolean {
    const changed = !samePartitions(member.assigned, next.assigned);
    this.release(member);
    member.memberEpoch = next.memberEpoch;
    member.previousMemberEpoch = next.previousMemberEpoch;
    member.state = next.state;
    member.assigned = next.assigned;
    member.pendingRevocation = next.pendingRevocation;
    this.claim(member);
    return changed;
  }

  private claim(member: GroupMember): void {
    for (const set of [member.assigned, member.pendingRevocation]) {
      for (const [topic, partitions] of set) {
        let owners = this.owners.get(topic);
        if (owners === undefined) this.owners.set(topic, (owners = new Map()));
        for (const p of partitions) {
          const current = owners.get(p);
          if (current !== undefined && current !== member.memberId) {
            throw new Error(`Internal error: ${topic}-${p} would be owned by ${member.memberId} and ${current}`);
          }
          owners.set(p, member.memberId);
        }
      }
    }
  }

  private release(member: GroupMember): void {
    for (const set of [member.assigned, member.pendingRevocation]) {
      for (const [topic, partitions] of set) {
        const owners = this.owners.get(topic);
        if (owners === undefined) continue;
        for (const p of partitions) if (owners.get(p) === member.memberId) owners.delete(p);
        if (owners.size === 0) this.owners.delete(topic);
      }
    }
  }
}
