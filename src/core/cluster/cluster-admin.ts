/**
 * The cluster's admin operations behind one object, for the broker's admin handlers and the CLI:
 * topics, leader elections, reassignments and decommissioning. Any broker can serve them: each
 * reads the metadata fresh from the coordination store and writes with compare-and-swap, so they
 * need no forwarding to the controller (which only completes what they start).
 *
 * @example
 * ```ts
 * const admin = clusterAdmin({ store, keys, numPartitions: config.numPartitions, defaultReplicationFactor: 3 });
 * await admin.createTopic("orders", { partitions: 6 });
 * await admin.electLeaders("preferred");
 * await admin.reassignPartitions('{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4]}]}');
 * await admin.describeReassignments();
 * ```
 * @module
 */
import type { Coordination } from "../ports/coordination.ts";
import type { ClusterAdminContext } from "./admin-context.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import { silentLogger, type ClusterLogger } from "./cluster-logger.ts";
import { readClusterSnapshot } from "./cluster-snapshot.ts";
import { electLeadersInCluster, type ElectionResult, type ElectionType, type TopicPartition } from "./leader-election.ts";
import {
  cancelReassignmentsInCluster,
  describeReassignments,
  parseReassignmentPlan,
  planDecommission,
  reassignPartitionsInCluster,
  replicasOnBroker,
  type ReassignmentPlan,
  type ReassignmentProgress,
  type ReassignmentResult,
} from "./reassignment.ts";
import {
  alterTopicConfigsInCluster,
  createPartitionsInCluster,
  createTopicInCluster,
  deleteTopicInCluster,
  type ClusterTopicDescription,
  type CreateClusterTopicOptions,
} from "./topic-admin.ts";

/**
 * Options for {@link clusterAdmin}: the store, the key layout, and the broker settings that apply.
 *
 * @example
 * ```ts
 * const options: ClusterAdminOptions = { store, keys, numPartitions: 3, defaultReplicationFactor: 3, deleteTopicEnable: true };
 * ```
 */
export interface ClusterAdminOptions {
  store: Coordination;
  keys: ClusterKeys;
  logger?: ClusterLogger;
  /** For the replica assignment's random start (default Math.random). */
  random?: () => number;
  /** `num.partitions` (default 1). */
  numPartitions?: number;
  /** `default.replication.factor` (default 1). */
  defaultReplicationFactor?: number;
  /** `delete.topic.enable` (default true). */
  deleteTopicEnable?: boolean;
  /** `unclean.leader.election.enable` (default false). */
  uncleanLeaderElectionEnable?: boolean;
}

/**
 * The admin operations; see the module documentation and the functions they call.
 *
 * @example
 * ```ts
 * const results = await admin.electLeaders("unclean", [{ topic: "orders", partition: 0 }]);
 * ```
 */
export interface ClusterAdmin {
  /** {@link createTopicInCluster}. */
  createTopic(name: string, options?: CreateClusterTopicOptions): Promise<ClusterTopicDescription>;
  /** {@link createPartitionsInCluster}. */
  createPartitions(name: string, totalCount: number, options?: { replicaAssignment?: number[][]; validateOnly?: boolean }): Promise<ClusterTopicDescription>;
  /** {@link alterTopicConfigsInCluster}. */
  alterConfigs(name: string, set: Record<string, string>, remove?: string[], options?: { validateOnly?: boolean }): Promise<ClusterTopicDescription>;
  /** {@link deleteTopicInCluster}. */
  deleteTopic(name: string): Promise<{ revision: number }>;
  /** {@link electLeadersInCluster}. */
  electLeaders(type: ElectionType, partitions?: readonly TopicPartition[]): Promise<ElectionResult[]>;
  /** {@link reassignPartitionsInCluster}; the plan may be Kafka's JSON text. */
  reassignPartitions(plan: ReassignmentPlan | string): Promise<ReassignmentResult[]>;
  /** {@link cancelReassignmentsInCluster}. */
  cancelReassignments(partitions?: readonly TopicPartition[]): Promise<ReassignmentResult[]>;
  /** {@link describeReassignments} on fresh metadata. */
  describeReassignments(partitions?: readonly TopicPartition[]): Promise<ReassignmentProgress[]>;
  /** {@link planDecommission} on fresh metadata. */
  planDecommission(brokerId: number): Promise<ReassignmentPlan>;
  /** {@link replicasOnBroker} on fresh metadata: empty once the broker can be shut down for good. */
  replicasOnBroker(brokerId: number): Promise<TopicPartition[]>;
}

/**
 * Creates the admin operations over a store.
 *
 * @example
 * ```ts
 * const admin = clusterAdmin({ store, keys: clusterKeys("dev") });
 * ```
 */
export function clusterAdmin(options: ClusterAdminOptions): ClusterAdmin {
  const ctx: ClusterAdminContext = {
    store: options.store,
    keys: options.keys,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
    numPartitions: options.numPartitions ?? 1,
    defaultReplicationFactor: options.defaultReplicationFactor ?? 1,
    deleteTopicEnable: options.deleteTopicEnable ?? true,
    uncleanLeaderElectionEnable: options.uncleanLeaderElectionEnable ?? false,
  };
  const snapshot = async () => (await readClusterSnapshot(ctx.store, ctx.keys, ctx.logger)).snapshot;
  return {
    createTopic: (name, topicOptions) => createTopicInCluster(ctx, name, topicOptions),
    createPartitions: (name, totalCount, partitionOptions) => createPartitionsInCluster(ctx, name, totalCount, partitionOptions),
    alterConfigs: (name, set, remove, alterOptions) => alterTopicConfigsInCluster(ctx, name, set, remove, alterOptions),
    deleteTopic: (name) => deleteTopicInCluster(ctx, name),
    electLeaders: (type, partitions) => electLeadersInCluster(ctx, type, partitions),
    reassignPartitions: (plan) => reassignPartitionsInCluster(ctx, parseReassignmentPlan(plan)),
    cancelReassignments: (partitions) => cancelReassignmentsInCluster(ctx, partitions),
    describeReassignments: async (partitions) => describeReassignments(await snapshot(), partitions),
    planDecommission: async (brokerId) => planDecommission(await snapshot(), brokerId),
    replicasOnBroker: async (brokerId) => replicasOnBroker(await snapshot(), brokerId),
  };
}
