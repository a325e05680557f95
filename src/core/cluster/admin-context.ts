/**
 * What the cluster's admin operations (topics, leader elections, reassignments) need. They run on
 * any broker, not only on the controller: each reads the metadata fresh from the store and writes
 * with compare-and-swap, so concurrent admins and the controller never overwrite each other.
 *
 * @example
 * ```ts
 * const ctx: ClusterAdminContext = {
 *   store, keys, logger, random: Math.random,
 *   numPartitions: 1, defaultReplicationFactor: 1, deleteTopicEnable: true, uncleanLeaderElectionEnable: false,
 * };
 * await createTopicInCluster(ctx, "orders", { partitions: 3, replicationFactor: 3 });
 * ```
 * @module
 */
import type { Coordination } from "../ports/coordination.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import type { ClusterLogger } from "./cluster-logger.ts";

/**
 * The store, the key layout and the broker settings the admin operations follow.
 *
 * @example
 * ```ts
 * const ctx: ClusterAdminContext = { store, keys, logger: () => {}, random: () => 0, numPartitions: 1,
 *   defaultReplicationFactor: 1, deleteTopicEnable: true, uncleanLeaderElectionEnable: false };
 * ```
 */
export interface ClusterAdminContext {
  store: Coordination;
  keys: ClusterKeys;
  logger: ClusterLogger;
  /** A number in [0, 1) for the replica assignment's random start (Math.random in production). */
  random: () => number;
  /** `num.partitions`: the partition count of a topic created without one. */
  numPartitions: number;
  /** `default.replication.factor`. */
  defaultReplicationFactor: number;
  /** `delete.topic.enable`. */
  deleteTopicEnable: boolean;
  /** `unclean.leader.election.enable` of the broker, for topics that do not set it. */
  uncleanLeaderElectionEnable: boolean;
}

/**
 * Whether a topic allows unclean leader election: its own `unclean.leader.election.enable`, else
 * the broker's.
 *
 * @example
 * ```ts
 * uncleanAllowed({ "unclean.leader.election.enable": "true" }, false); // true
 * ```
 */
export function uncleanAllowed(configs: Readonly<Record<string, string>> | undefined, brokerDefault: boolean): boolean {
  const value = configs?.["unclean.leader.election.enable"];
  return value === undefined ? brokerDefault : value.trim().toLowerCase() === "true";
}

/**
 * How many operations the cluster code puts in one transaction (etcd allows 128 per branch).
 *
 * @example
 * ```ts
 * for (let i = 0; i < keys.length; i += TXN_BATCH) await store.txn(batchOf(keys.slice(i, i + TXN_BATCH)));
 * ```
 */
export const TXN_BATCH = 100;
