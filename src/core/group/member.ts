/**
 * One member of a consumer group as the coordinator keeps it: who it is, what it subscribes to,
 * its epoch and where it stands in reconciling towards its target assignment (KIP-848).
 *
 * @example
 * ```ts
 * const m = newMember({ memberId: "c-1", clientId: "c", host: "/10.0.0.1", sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 300_000 });
 * m.memberEpoch; // 0 until its first reconciliation
 * ```
 * @module
 */
import type { TimerHandle } from "../ports/clock.ts";
import type { PartitionSet } from "./topic-partitions.ts";

/**
 * Where a member stands against its target assignment, with Kafka's names:
 * - `STABLE`: it has everything of its target that it can have at the target epoch;
 * - `UNREVOKED_PARTITIONS`: it must first release partitions (acknowledged by a heartbeat whose
 *   owned partitions no longer list them); it stays at its epoch until then;
 * - `UNRELEASED_PARTITIONS`: at the target epoch, waiting for partitions other members still own.
 *
 * @example
 * ```ts
 * const s: MemberState = "UNREVOKED_PARTITIONS";
 * ```
 */
export type MemberState = "STABLE" | "UNREVOKED_PARTITIONS" | "UNRELEASED_PARTITIONS";

/**
 * The part of a member that reconciliation changes.
 *
 * @example
 * ```ts
 * const s: MemberAssignmentState = { memberEpoch: 3, previousMemberEpoch: 2, state: "STABLE", assigned: new Map(), pendingRevocation: new Map() };
 * ```
 */
export interface MemberAssignmentState {
  memberEpoch: number;
  /** The epoch before the last change: a heartbeat carrying it is still accepted when its response may have been lost. */
  previousMemberEpoch: number;
  state: MemberState;
  /** What the member has been given and may consume. */
  assigned: PartitionSet;
  /** What it has been asked to release and has not yet acknowledged; nobody else gets these meanwhile. */
  pendingRevocation: PartitionSet;
}

/**
 * A group member.
 *
 * @example
 * ```ts
 * if (member.instanceId !== null) console.log(`static member ${member.instanceId}`);
 * ```
 */
export interface GroupMember extends MemberAssignmentState {
  readonly memberId: string;
  /** `group.instance.id` of a static member, else null. */
  instanceId: string | null;
  clientId: string;
  host: string;
  /** Topic names subscribed by name, sorted, without duplicates. */
  subscribedTopics: string[];
  /** A regular expression matched against whole topic names, or null. */
  subscribedPattern: string | null;
  /** The canonical name of the assignor the member prefers, or undefined. */
  assignor: string | undefined;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** A static member that left with epoch -2: its partitions wait for it until its session times out. */
  leftStatic: boolean;
  sessionTimer?: TimerHandle | undefined;
  rebalanceTimer?: TimerHandle | undefined;
}

/**
 * What {@link newMember} needs.
 *
 * @example
 * ```ts
 * const init: NewMemberInit = { memberId: "m", clientId: "c", host: "h", sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 300_000 };
 * ```
 */
export interface NewMemberInit {
  memberId: string;
  instanceId?: string | null;
  clientId: string;
  host: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

/**
 * A member that has just joined: epoch 0, nothing assigned, no subscription yet.
 *
 * @example
 * ```ts
 * const m = newMember({ memberId: "m", clientId: "c", host: "h", sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 300_000 });
 * ```
 */
export function newMember(init: NewMemberInit): GroupMember {
  return {
    memberId: init.memberId,
    instanceId: init.instanceId ?? null,
    clientId: init.clientId,
    host: init.host,
    subscribedTopics: [],
    subscribedPattern: null,
    assignor: undefined,
    rebalanceTimeoutMs: init.rebalanceTimeoutMs,
    sessionTimeoutMs: init.sessionTimeoutMs,
    leftStatic: false,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: "STABLE",
    assigned: new Map(),
    pendingRevocation: new Map(),
  };
}
