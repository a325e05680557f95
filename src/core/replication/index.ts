/**
 * Data replication with Kafka's semantics: leaders, followers, the high watermark, the ISR and
 * truncation by leader epoch. The network is a port ({@link ReplicaFetchClient}); see
 * `replica-manager.ts` for the entry point.
 *
 * @example
 * ```ts
 * import { ReplicaManager } from "./core/replication/index.ts";
 * const replicas = new ReplicaManager({ view, clock, clientFactory, logFor });
 * await replicas.start();
 * ```
 * @module
 */
export { AckWaiters, type AckVerdict } from "./ack-waiters.ts";
export { FetchClientPool, type ClientLease } from "./fetch-client-pool.ts";
export { PartitionFollower, type PartitionFollowerOptions } from "./follower.ts";
export { FollowerProgress } from "./follower-progress.ts";
export { inProcessFetchClient } from "./in-process-fetch-client.ts";
export { LeaderState, type LeaderStateOptions } from "./leader-state.ts";
export { ReplicaManager, type ReplicaManagerOptions } from "./replica-manager.ts";
export type {
  EpochEndOffset,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ReplicaFetchClient,
  ReplicaFetchClientFactory,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
  ReplicaFetchServer,
} from "./replica-transport.ts";
export { defaultReplicationConfig, replicationConfig, type ReplicationConfig, type ReplicationLogger } from "./replication-config.ts";
export { checkOffsetForLeaderEpochRequest, checkReplicaFetchRequest } from "./request-checks.ts";
export { truncateLog, truncationPoint, type TruncationPoint } from "./truncation.ts";
