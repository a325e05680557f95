/**
 * Which committed offsets of a group have expired (offsets.retention.minutes), as Kafka decides:
 * - in a group without members, an offset expires once both its commit and the moment the group
 *   became empty lie `retentionMs` in the past (after a restart the empty moment is unknown and
 *   the commit time alone counts);
 * - in a group with members, offsets of topics no member subscribes to expire `retentionMs` after
 *   their commit; the others never do;
 * - a version-1 value with an explicit expire timestamp expires at that time.
 *
 * @example
 * ```ts
 * expiredOffsets({ offsets: offsets.list("g"), hasMembers: false, emptySince: 0, subscribedTopics: new Set(), now, retentionMs: 7 * 86_400_000 });
 * ```
 * @module
 */
import type { CommittedOffset } from "./committed-offsets.ts";

/**
 * What {@link expiredOffsets} looks at.
 *
 * @example
 * ```ts
 * const input: ExpiryInput = { offsets: [], hasMembers: true, emptySince: undefined, subscribedTopics: new Set(["t"]), now: Date.now(), retentionMs: 1000 };
 * ```
 */
export interface ExpiryInput {
  offsets: ReadonlyArray<{ topic: string; partition: number; value: CommittedOffset }>;
  hasMembers: boolean;
  /** When the group became empty, if known. */
  emptySince: number | undefined;
  /** Topics its members subscribe to (ignored without members). */
  subscribedTopics: ReadonlySet<string>;
  now: number;
  retentionMs: number;
}

/**
 * The expired partitions, in the order given.
 *
 * @example
 * ```ts
 * expiredOffsets({ ...input, offsets: [{ topic: "t", partition: 0, value: { offset: 1, leaderEpoch: -1, metadata: "", commitTimestamp: 0 } }], now: 1000, retentionMs: 1000 });
 * // [{ topic: "t", partition: 0 }]
 * ```
 */
export function expiredOffsets(input: ExpiryInput): Array<{ topic: string; partition: number }> {
  const out: Array<{ topic: string; partition: number }> = [];
  for (const { topic, partition, value } of input.offsets) {
    if (input.hasMembers && input.subscribedTopics.has(topic)) continue;
    let expired: boolean;
    if (value.expireTimestamp !== undefined && value.expireTimestamp >= 0) {
      expired = input.now >= value.expireTimestamp;
    } else {
      const base = input.hasMembers ? value.commitTimestamp : Math.max(input.emptySince ?? -Infinity, value.commitTimestamp);
      expired = input.now - base >= input.retentionMs;
    }
    if (expired) out.push({ topic, partition });
  }
  return out;
}
