/**
 * The controller's decisions about one partition, as pure functions of its state and the live
 * brokers (Kafka's PartitionChangeBuilder and election strategies):
 *
 * - {@link reconcilePartition}: after brokers die or return. A dead leader is replaced by the first
 *   live ISR member in replica order (clean election), dead brokers leave the ISR, the leader epoch
 *   is raised on every change of leader. With no live ISR member the partition goes offline (leader
 *   -1) and keeps its last ISR, so that it comes back when one of those brokers does, unless unclean
 *   election is enabled: then the first live replica leads with an ISR of itself.
 * - {@link preferredElection} and {@link uncleanElection}: the admin's `leader-election`.
 * - {@link completeReassignment}: the end of a reassignment, once every target replica is in sync.
 *
 * @example
 * ```ts
 * const live = new Set([2, 3]);
 * reconcilePartition({ replicas: [1, 2, 3], leader: 1, leaderEpoch: 4, isr: [1, 2, 3] }, live, false);
 * // { record: { replicas: [1, 2, 3], leader: 2, leaderEpoch: 5, isr: [2, 3] }, unclean: false, reason: "..." }
 * ```
 * @module
 */
import type { ErrorCode } from "../errors.ts";
import type { PartitionRecord, ReassignmentRecord } from "./cluster-records.ts";

/**
 * A change the controller should write, and why.
 *
 * @example
 * ```ts
 * const d: PartitionDecision = { record, unclean: false, reason: "leader 1 is not alive: elected 2 from the ISR" };
 * ```
 */
export interface PartitionDecision {
  record: PartitionRecord;
  /** True when a replica outside the ISR became leader (records may be lost). */
  unclean: boolean;
  reason: string;
}

/**
 * What an admin election decided for one partition: a change, or the Kafka error saying why not.
 *
 * @example
 * ```ts
 * const outcome: ElectionDecision = { error: "ELECTION_NOT_NEEDED", message: "Broker 1 is the leader already" };
 * ```
 */
export type ElectionDecision = PartitionDecision | { error: ErrorCode; message: string };

const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * What the controller should change in a partition given the live brokers, or undefined when
 * nothing. See the module documentation.
 *
 * @example
 * ```ts
 * reconcilePartition({ replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1] }, new Set([2]), false);
 * // offline: { record: { replicas: [1, 2], leader: -1, leaderEpoch: 1, isr: [1] }, ... }
 * ```
 */
export function reconcilePartition(state: PartitionRecord, live: ReadonlySet<number>, uncleanAllowed: boolean): PartitionDecision | undefined {
  const liveIsr = state.isr.filter((id) => live.has(id));
  const isr = liveIsr.length > 0 ? liveIsr : state.isr;
  if (state.leader !== -1 && live.has(state.leader)) {
    if (sameList(isr, state.isr)) return undefined;
    const gone = state.isr.filter((id) => !live.has(id));
    return { record: { ...state, isr }, unclean: false, reason: `broker(s) ${gone.join(",")} are not alive: removed from the ISR` };
  }
  const was = state.leader === -1 ? "the partition is offline" : `leader ${state.leader} is not alive`;
  const clean = state.replicas.find((id) => liveIsr.includes(id));
  if (clean !== undefined) {
    return {
      record: { ...state, leader: clean, leaderEpoch: state.leaderEpoch + 1, isr: liveIsr },
      unclean: false,
      reason: `${was}: elected ${clean} from the ISR`,
    };
  }
  if (uncleanAllowed) {
    const any = state.replicas.find((id) => live.has(id));
    if (any !== undefined) {
      return {
        record: { ...state, leader: any, leaderEpoch: state.leaderEpoch + 1, isr: [any] },
        unclean: true,
        reason: `${was} and no ISR member [${state.isr.join(",")}] is alive: elected ${any}, which is not in the ISR (unclean)`,
      };
    }
  }
  if (state.leader === -1 && sameList(isr, state.isr)) return undefined;
  return {
    record: { ...state, leader: -1, leaderEpoch: state.leader === -1 ? state.leaderEpoch : state.leaderEpoch + 1, isr },
    unclean: false,
    reason: `${was} and no ISR member [${state.isr.join(",")}] is alive: the partition is offline`,
  };
}

/**
 * Preferred leader election: the first replica leads when it is alive and in the ISR.
 *
 * @example
 * ```ts
 * preferredElection({ replicas: [1, 2], leader: 2, leaderEpoch: 3, isr: [1, 2] }, new Set([1, 2]));
 * // { record: { ..., leader: 1, leaderEpoch: 4 }, unclean: false, reason: "..." }
 * ```
 */
export function preferredElection(state: PartitionRecord, live: ReadonlySet<number>): ElectionDecision {
  const preferred = state.replicas[0]!;
  if (state.leader === preferred) return { error: "ELECTION_NOT_NEEDED", message: `The preferred replica ${preferred} is the leader already` };
  if (!live.has(preferred)) return { error: "PREFERRED_LEADER_NOT_AVAILABLE", message: `The preferred replica ${preferred} is not alive` };
  if (!state.isr.includes(preferred)) {
    return { error: "PREFERRED_LEADER_NOT_AVAILABLE", message: `The preferred replica ${preferred} is not in the ISR [${state.isr.join(",")}]` };
  }
  return {
    record: { ...state, leader: preferred, leaderEpoch: state.leaderEpoch + 1 },
    unclean: false,
    reason: `preferred leader election: ${state.leader} → ${preferred}`,
  };
}

/**
 * Unclean leader election, for a partition without a live leader: a live ISR member when there is
 * one, else any live replica (with an ISR of itself).
 *
 * @example
 * ```ts
 * uncleanElection({ replicas: [1, 2], leader: -1, leaderEpoch: 3, isr: [1] }, new Set([2]));
 * // { record: { replicas: [1, 2], leader: 2, leaderEpoch: 4, isr: [2] }, unclean: true, ... }
 * ```
 */
export function uncleanElection(state: PartitionRecord, live: ReadonlySet<number>): ElectionDecision {
  if (state.leader !== -1 && live.has(state.leader)) {
    return { error: "ELECTION_NOT_NEEDED", message: `Broker ${state.leader} leads the partition already` };
  }
  const decision = reconcilePartition(state, live, true);
  if (decision === undefined || decision.record.leader === -1) {
    return { error: "ELIGIBLE_LEADERS_NOT_AVAILABLE", message: `No replica of [${state.replicas.join(",")}] is alive` };
  }
  return decision;
}

/**
 * The last step of a reassignment, or undefined while a target replica is not in sync yet (or no
 * target replica in sync is alive to lead). The replicas become the target, the ISR keeps its
 * target members, the leader stays when it is a live target replica and is otherwise the first
 * live target replica in the ISR; the epoch is raised when the leader changes or replicas leave.
 *
 * @example
 * ```ts
 * completeReassignment({ replicas: [2, 3, 1], leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }, { target: [2, 3], original: [1, 2] }, new Set([1, 2, 3]));
 * // { record: { replicas: [2, 3], leader: 2, leaderEpoch: 1, isr: [2, 3] }, ... }
 * ```
 */
export function completeReassignment(
  state: PartitionRecord,
  reassignment: ReassignmentRecord,
  live: ReadonlySet<number>,
): PartitionDecision | undefined {
  const { target } = reassignment;
  if (!target.every((id) => state.isr.includes(id))) return undefined;
  const isr = state.isr.filter((id) => target.includes(id));
  const keep = state.leader !== -1 && target.includes(state.leader) && live.has(state.leader);
  const leader = keep ? state.leader : target.find((id) => isr.includes(id) && live.has(id));
  if (leader === undefined) return undefined;
  const changed = leader !== state.leader || state.replicas.some((id) => !target.includes(id));
  return {
    record: { replicas: [...target], leader, leaderEpoch: changed ? state.leaderEpoch + 1 : state.leaderEpoch, isr },
    unclean: false,
    reason: `reassignment complete: replicas [${state.replicas.join(",")}] → [${target.join(",")}]${leader === state.leader ? "" : `, leader ${state.leader} → ${leader}`}`,
  };
}

/**
 * The replicas a partition has while it moves to `target`: the target first, then the current
 * replicas that leave (Kafka's order, so that the preferred leader is the target's).
 *
 * @example
 * ```ts
 * replicasDuringReassignment([1, 2, 3], [4, 2, 3]); // [4, 2, 3, 1]
 * ```
 */
export function replicasDuringReassignment(current: readonly number[], target: readonly number[]): number[] {
  return [...target, ...current.filter((id) => !target.includes(id))];
}
