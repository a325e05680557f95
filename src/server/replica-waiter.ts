/**
 * The seam produce with acks=all (-1) goes through: "have the in-sync replicas got these records?".
 * On one broker the leader is the only in-sync replica, so the answer is yes as soon as the append
 * is done; replication plugs in its own {@link ReplicaWaiter} that waits for followers to fetch up to
 * the offset (Kafka's DelayedProduce), without the produce handler changing.
 *
 * @example
 * ```ts
 * const waiter = localReplicaWaiter(config.brokerId);
 * if (waiter.inSyncReplicas("orders", 0).length < minInsyncReplicas) throw notEnoughReplicas();
 * const result = await log.append(bytes);
 * await waiter.waitForReplicas("orders", 0, result.lastOffset + 1, timeoutMs);
 * ```
 * @module
 */

/**
 * What the broker asks of replication when it answers a produce with acks=all, and when it
 * describes a partition's replicas.
 *
 * @example
 * ```ts
 * const waiter: ReplicaWaiter = {
 *   requireLeader: () => undefined,
 *   replicas: () => [1, 2, 3],
 *   inSyncReplicas: () => [1, 2],
 *   leaderEpoch: () => 4,
 *   waitForReplicas: (topic, partition, endOffset, timeoutMs) => followersReach(topic, partition, endOffset, timeoutMs),
 * };
 * ```
 */
export interface ReplicaWaiter {
  /**
   * Throws NOT_LEADER_OR_FOLLOWER (UNKNOWN_TOPIC_OR_PARTITION for a partition the cluster does not
   * know) unless this broker leads the partition now: what produce, fetch, listOffsets, subscribe
   * and deleteRecords check first. A single broker leads every partition it has.
   */
  requireLeader(topic: string, partition: number): unknown;
  /** Broker ids holding a copy of the partition, preferred leader first. */
  replicas(topic: string, partition: number): readonly number[];
  /** Broker ids of the replicas in sync with the leader, the leader included. */
  inSyncReplicas(topic: string, partition: number): readonly number[];
  /** The partition's current leader epoch, stamped on appended batches and checked by fetch. */
  leaderEpoch(topic: string, partition: number): number;
  /**
   * Resolves once every in-sync replica holds the partition's records below `endOffset`. Rejects
   * with `EdgelogError("REQUEST_TIMED_OUT")` after `timeoutMs`, or with
   * `NOT_ENOUGH_REPLICAS_AFTER_APPEND` when the in-sync set shrank below min.insync.replicas
   * meanwhile. An aborted `signal` ends the wait with a rejection.
   */
  waitForReplicas(topic: string, partition: number, endOffset: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The waiter of a single broker: it is the only replica, always in sync and always leader (epoch
 * 0), so every wait resolves at once.
 *
 * @example
 * ```ts
 * const waiter = localReplicaWaiter(0);
 * waiter.inSyncReplicas("orders", 0); // [0]
 * await waiter.waitForReplicas("orders", 0, 42, 30_000); // resolves immediately
 * ```
 */
export function localReplicaWaiter(brokerId: number): ReplicaWaiter {
  const self = Object.freeze([brokerId]);
  return {
    requireLeader: () => undefined,
    replicas: () => self,
    inSyncReplicas: () => self,
    leaderEpoch: () => 0,
    waitForReplicas: () => Promise.resolve(),
  };
}
