/**
 * The state of a consumer group, with the names Kafka's tools print (classic protocol names), and
 * how they map from a KIP-848 group:
 * - `Empty`: no members (the group may still hold committed offsets);
 * - `PreparingRebalance`: members are there but the target assignment is not computed yet (the
 *   initial rebalance delay of a new group is running);
 * - `CompletingRebalance`: some member has not reached the target assignment (it must release
 *   partitions, waits for partitions others release, or is a static member that left for a moment);
 * - `Stable`: every member has its target assignment;
 * - `Dead`: the group does not exist (deleted, expired or never seen).
 *
 * @example
 * ```ts
 * if (describe.state === "Stable") console.log("every member owns its partitions");
 * ```
 * @module
 */

/**
 * A group state name.
 *
 * @example
 * ```ts
 * const s: GroupStateName = "CompletingRebalance";
 * ```
 */
export type GroupStateName = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

/**
 * Every state name, in lifecycle order.
 *
 * @example
 * ```ts
 * GROUP_STATES.includes("Stable"); // true
 * ```
 */
export const GROUP_STATES: readonly GroupStateName[] = ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"];

/**
 * The facts a state is derived from.
 *
 * @example
 * ```ts
 * const facts: GroupStateFacts = { memberCount: 2, assigning: false, allReconciled: true };
 * ```
 */
export interface GroupStateFacts {
  memberCount: number;
  /** The target assignment is behind the group epoch, or the initial delay runs. */
  assigning: boolean;
  /** Every member is at the target epoch, stable, and present. */
  allReconciled: boolean;
}

/**
 * The state of an existing group.
 *
 * @example
 * ```ts
 * groupStateOf({ memberCount: 0, assigning: false, allReconciled: true }); // "Empty"
 * ```
 */
export function groupStateOf(facts: GroupStateFacts): GroupStateName {
  if (facts.memberCount === 0) return "Empty";
  if (facts.assigning) return "PreparingRebalance";
  return facts.allReconciled ? "Stable" : "CompletingRebalance";
}
