/**
 * The `__consumer_offsets` topic behind the group coordinator: an {@link OffsetsStore} over its
 * partition logs. The topic is created, compacted, with `offsets.topic.num.partitions` partitions
 * and `offsets.topic.replication.factor` replicas, when the coordinator first writes to it (Kafka
 * creates it on the first group request too); until then reading it finds nothing. A broker that
 * already has the topic keeps its partition count, whatever `offsets.topic.num.partitions` says now,
 * as Kafka does ({@link consumerOffsetsPartitions}).
 *
 * In a cluster (`replicas` given) the topic has `offsets.topic.replication.factor` replicas like any
 * other: a write goes only to a partition this broker leads (NOT_COORDINATOR otherwise), carries the
 * leader epoch, and resolves once the in-sync replicas have it (as Kafka's commits wait for acks=all,
 * at most {@link OFFSETS_COMMIT_TIMEOUT_MS}); reading a partition this broker holds no replica of
 * finds nothing, and a partition is read up to its log end (a new leader has every acknowledged
 * commit there, not yet under its high watermark).
 *
 * @example
 * ```ts
 * const store = consumerOffsetsStore({ config, logs, topics, logger });
 * const coordinator = createGroupCoordinator({ clock, offsetsLog: store, topics: view, config: { offsetsTopicPartitions: consumerOffsetsPartitions(config, topics) } });
 * ```
 * @module
 */
import type { BrokerConfig } from "../core/config/broker-config.ts";
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import { type OffsetsStore, partitionLogOffsetsStore } from "../core/group/offsets-store.ts";
import type { LogManager } from "../core/log/log-manager.ts";
import type { PartitionLog } from "../core/log/partition-log.ts";
import { CONSUMER_OFFSETS_TOPIC } from "../core/topic/topic-name.ts";
import type { TopicRegistry } from "../core/topic/topic-registry.ts";
import type { BrokerLogger } from "./broker-context.ts";
import type { ReplicaWaiter } from "./replica-waiter.ts";

/**
 * How long a commit waits for the in-sync replicas of its `__consumer_offsets` partition in a
 * cluster (Kafka's `offsets.commit.timeout.ms` default).
 *
 * @example
 * ```ts
 * await replicas.waitForReplicas(CONSUMER_OFFSETS_TOPIC, p, end, OFFSETS_COMMIT_TIMEOUT_MS);
 * ```
 */
export const OFFSETS_COMMIT_TIMEOUT_MS = 5000;

/**
 * What {@link consumerOffsetsStore} works with.
 *
 * @example
 * ```ts
 * const deps: OffsetsTopicDeps = { config, logs, topics, logger: () => {} };
 * ```
 */
export interface OffsetsTopicDeps {
  config: BrokerConfig;
  logs: LogManager;
  topics: TopicRegistry;
  logger: BrokerLogger;
  /** The cluster's replication; absent on a single broker. */
  replicas?: ReplicaWaiter;
}

/**
 * How many partitions the coordinator spreads groups over: those of the existing topic, else
 * `offsets.topic.num.partitions`.
 *
 * @example
 * ```ts
 * consumerOffsetsPartitions(config, topics); // 50 on a fresh broker with Kafka's default
 * ```
 */
export function consumerOffsetsPartitions(config: BrokerConfig, topics: TopicRegistry): number {
  return topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions ?? config.offsetsTopicNumPartitions;
}

/**
 * The store; see the module documentation. A partition log that is missing (the topic was
 * deleted under the broker) is COORDINATOR_NOT_AVAILABLE. `ensureTopic` creates the topic when it
 * does not exist yet.
 *
 * @example
 * ```ts
 * await consumerOffsetsStore(deps).append(7, batch); // creates __consumer_offsets first when needed
 * ```
 */
export function consumerOffsetsStore(deps: OffsetsTopicDeps): OffsetsStore & { ensureTopic(): Promise<void> } {
  const { config, logs, topics, logger, replicas } = deps;
  let creating: Promise<void> | undefined;

  const create = async (): Promise<void> => {
    try {
      const created = await topics.createTopic(CONSUMER_OFFSETS_TOPIC, {
        partitions: config.offsetsTopicNumPartitions,
        replicationFactor: config.offsetsTopicReplicationFactor,
        configs: { "cleanup.policy": "compact" },
      });
      logger("info", `Created topic ${CONSUMER_OFFSETS_TOPIC} with ${created.partitions} partition(s)`);
    } catch (error) {
      // Created meanwhile by a request: use it as it is.
      if (!isEdgelogError(error, "TOPIC_ALREADY_EXISTS")) throw error;
    }
  };

  const ensure = async (): Promise<void> => {
    if (topics.get(CONSUMER_OFFSETS_TOPIC)) return;
    creating ??= create().finally(() => {
      creating = undefined;
    });
    await creating;
  };

  const logOf = (partition: number): PartitionLog => {
    const log = logs.getLog(CONSUMER_OFFSETS_TOPIC, partition);
    if (!log) {
      throw new EdgelogError("COORDINATOR_NOT_AVAILABLE", `Partition ${CONSUMER_OFFSETS_TOPIC}-${partition} is not available`);
    }
    return log;
  };

  const onLogs = partitionLogOffsetsStore(async (partition) => {
    await ensure();
    return logOf(partition);
  });

  if (replicas !== undefined) return replicatedStore(replicas, logs, ensure, logOf);
  return {
    append: (partition, batch) => onLogs.append(partition, batch),
    async *readAll(partition) {
      if (!topics.get(CONSUMER_OFFSETS_TOPIC)) return;
      yield* onLogs.readAll(partition);
    },
    ensureTopic: ensure,
  };
}

/** The store of a broker in a cluster; see the module documentation. */
function replicatedStore(
  replicas: ReplicaWaiter,
  logs: LogManager,
  ensure: () => Promise<void>,
  logOf: (partition: number) => PartitionLog,
): OffsetsStore & { ensureTopic(): Promise<void> } {
  const topic = CONSUMER_OFFSETS_TOPIC;
  return {
    async append(partition, batch) {
      await ensure();
      try {
        replicas.requireLeader(topic, partition);
      } catch (error) {
        if (!isEdgelogError(error, "NOT_LEADER_OR_FOLLOWER")) throw error;
        throw new EdgelogError("NOT_COORDINATOR", `This broker no longer leads ${topic}-${partition}`, { details: { partition } });
      }
      const log = logOf(partition);
      const info = await log.append(batch, { leaderEpoch: replicas.leaderEpoch(topic, partition) });
      await replicas.waitForReplicas(topic, partition, info.lastOffset + 1, OFFSETS_COMMIT_TIMEOUT_MS);
    },
    async *readAll(partition) {
      const log = logs.getLog(topic, partition);
      if (log === undefined) return;
      const end = log.logEndOffset;
      let offset = log.logStartOffset;
      while (offset < end) {
        const read = await log.read(offset, { maxBytes: 1 << 20, maxOffset: end });
        if (read.bytes.length === 0 || read.nextOffset <= offset) break;
        yield read.bytes;
        offset = read.nextOffset;
      }
    },
    ensureTopic: ensure,
  };
}
