/**
 * Truncation by leader epoch (Kafka's KIP-101 and KIP-279): where a follower cuts its log so that it
 * keeps no record the leader lacks, decided from the leader's answer "epoch E ends at offset O on
 * my log" (an OffsetsForLeaderEpoch reply or a fetch reply's diverging epoch). Never by high
 * watermark: a follower keeps every record the leader also has, acknowledged or not.
 *
 * @example
 * ```ts
 * const { offset, complete } = truncationPoint({ epoch: 3, endOffset: 118 }, log.leaderEpochCache, log.logEndOffset);
 * await truncateLog(log, offset);
 * if (!complete) askAgain(log.leaderEpochCache.latestEpoch);
 * ```
 * @module
 */
import type { LeaderEpochCache } from "../log/leader-epoch-cache.ts";
import type { PartitionLog } from "../log/partition-log.ts";
import type { EpochEndOffset } from "./replica-transport.ts";

/**
 * Where to truncate, and whether that settles it (`complete: false`: ask the leader again with the
 * follower's latest epoch after the cut, KIP-279's extra round trips).
 *
 * @example
 * ```ts
 * const t: TruncationPoint = { offset: 118, complete: true };
 * ```
 */
export interface TruncationPoint {
  offset: number;
  complete: boolean;
}

/**
 * Decides the truncation offset from the leader's `answer` about the follower's latest epoch:
 *
 * - the leader knows no epoch that old (`endOffset` -1): nothing of the follower's is known to
 *   match, so everything from its first epoch on goes;
 * - the follower has the leader's epoch: cut at the smaller of the two end offsets of that epoch;
 * - the follower lacks it: cut where the follower's largest epoch below it ends and ask again;
 * - the follower has no epoch at or below it: all its epochs are newer than anything the leader
 *   has there, so cut at the start of its first epoch (or the leader's end offset, if lower).
 *
 * Never beyond the follower's log end.
 *
 * @example
 * ```ts
 * // Follower: epochs [(0, 0), (1, 50)], log end 80. Leader: epoch 0 ends at 60 (it never had epoch 1).
 * truncationPoint({ epoch: 0, endOffset: 60 }, cache, 80); // { offset: 50, complete: true }
 * ```
 */
export function truncationPoint(answer: EpochEndOffset, epochs: LeaderEpochCache, logEndOffset: number): TruncationPoint {
  const first = epochs.entries()[0]?.startOffset ?? logEndOffset;
  if (answer.endOffset < 0 || answer.epoch < 0) return { offset: Math.min(first, logEndOffset), complete: true };
  const mine = epochs.endOffsetFor(answer.epoch, logEndOffset);
  if (mine.epoch < 0) return { offset: Math.min(first, answer.endOffset, logEndOffset), complete: true };
  if (mine.epoch !== answer.epoch) return { offset: Math.min(mine.endOffset, logEndOffset), complete: false };
  return { offset: Math.min(mine.endOffset, answer.endOffset, logEndOffset), complete: true };
}

/**
 * Truncates `log` at `offset` when that is below its end, and in every case drops leader epoch
 * entries that start at or after the (new) log end: an epoch a former leader recorded when it took
 * over but never wrote a batch in, which would otherwise make the follower report an epoch it has
 * no records of.
 *
 * @example
 * ```ts
 * await truncateLog(log, 118);
 * ```
 */
export async function truncateLog(log: PartitionLog, offset: number): Promise<void> {
  if (offset < log.logEndOffset) await log.truncateTo(Math.max(0, offset));
  const epochs = log.leaderEpochCache;
  if (epochs.truncateFromEnd(log.logEndOffset)) await epochs.persist();
}
