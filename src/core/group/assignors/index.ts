/**
 * The server-side assignors by name: "uniform" (sticky; also answers to "sticky" and
 * "cooperative-sticky"), "range" and "roundrobin" (also "round-robin"), and the choice of one
 * assignor for a group from its members' preferences.
 *
 * @example
 * ```ts
 * assignorByName("sticky")?.name; // "uniform"
 * chooseAssignor(["range", undefined, "range", "uniform"]).name; // "range"
 * ```
 * @module
 */
import type { Assignor } from "./assignor.ts";
import { rangeAssignor } from "./range.ts";
import { roundRobinAssignor } from "./round-robin.ts";
import { stickyAssignor } from "./sticky.ts";

export type { Assignor, AssignorMember, AssignmentInput } from "./assignor.ts";
export { compareMembers } from "./assignor.ts";
export { rangeAssignor } from "./range.ts";
export { roundRobinAssignor } from "./round-robin.ts";
export { stickyAssignor } from "./sticky.ts";

/**
 * The assignors in order of preference; the first is the default.
 *
 * @example
 * ```ts
 * ASSIGNORS[0]!.name; // "uniform"
 * ```
 */
export const ASSIGNORS: readonly Assignor[] = [stickyAssignor, rangeAssignor, roundRobinAssignor];

const ALIASES: Readonly<Record<string, Assignor>> = {
  uniform: stickyAssignor,
  sticky: stickyAssignor,
  "cooperative-sticky": stickyAssignor,
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  "round-robin": roundRobinAssignor,
};

/**
 * The assignor a name stands for, or undefined for an unknown name.
 *
 * @example
 * ```ts
 * assignorByName("roundrobin") === roundRobinAssignor; // true
 * assignorByName("magic"); // undefined
 * ```
 */
export function assignorByName(name: string): Assignor | undefined {
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
}

/**
 * The assignor most members prefer (ties go to the earlier one in {@link ASSIGNORS}); the default
 * when nobody names one. Unknown names are ignored (the coordinator rejects them at the door).
 *
 * @example
 * ```ts
 * chooseAssignor([undefined, undefined]).name; // "uniform"
 * ```
 */
export function chooseAssignor(preferences: Iterable<string | undefined>): Assignor {
  const votes = new Map<Assignor, number>();
  for (const name of preferences) {
    const assignor = name === undefined ? undefined : assignorByName(name);
    if (assignor !== undefined) votes.set(assignor, (votes.get(assignor) ?? 0) + 1);
  }
  let best = ASSIGNORS[0]!;
  let bestVotes = 0;
  for (const assignor of ASSIGNORS) {
    const n = votes.get(assignor) ?? 0;
    if (n > bestVotes) [best, bestVotes] = [assignor, n];
  }
  return best;
}
