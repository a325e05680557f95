/**
 * The shapes an {@link Admin} takes and returns: topics to create, topic and cluster descriptions,
 * config resources and entries, offset lookups, and the admin's own options.
 *
 * @example
 * ```ts
 * import type { NewTopicSpec } from "./admin-types.ts";
 * const topic: NewTopicSpec = { topic: "orders", numPartitions: 6 };
 * ```
 * @module
 */
import type { ConfigResourceType, ConfigSource } from "../protocol/index.ts";
import type { Admin } from "./admin.ts";
import type { RetryOptions } from "./retry.ts";

/**
 * A topic to create. `configs` take Kafka's topic config names; numbers and booleans are sent as text.
 *
 * @example
 * ```ts
 * const topic: NewTopicSpec = { topic: "orders", numPartitions: 6, configs: { "cleanup.policy": "compact" } };
 * ```
 */
export interface NewTopicSpec {
  topic: string;
  /** Default: the broker's num.partitions. */
  numPartitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string | number | boolean>;
  /** kafkajs's form of `configs`. */
  configEntries?: { name: string; value: string }[];
}

/**
 * A topic as {@link Admin.fetchTopicMetadata} describes it (kafkajs's shape).
 *
 * @example
 * ```ts
 * const { name, partitions }: TopicDescription = (await admin.fetchTopicMetadata({ topics: ["orders"] })).topics[0]!;
 * ```
 */
export interface TopicDescription {
  name: string;
  partitions: {
    partitionId: number;
    leader: number;
    leaderEpoch: number;
    replicas: number[];
    isr: number[];
    offlineReplicas: number[];
    /** 0, or Kafka's numeric error code (e.g. 5 for LEADER_NOT_AVAILABLE). */
    partitionErrorCode: number;
  }[];
}

/**
 * The cluster as {@link Admin.describeCluster} describes it.
 *
 * @example
 * ```ts
 * const { clusterId, controller, brokers }: ClusterDescription = await admin.describeCluster();
 * ```
 */
export interface ClusterDescription {
  clusterId: string;
  /** The controller's broker id; -1 when unknown. */
  controller: number;
  brokers: { nodeId: number; url: string; rack: string | null }[];
}

/**
 * A config resource to read; without `configNames`, every key.
 *
 * @example
 * ```ts
 * const resource: DescribeConfigResource = { type: "topic", name: "orders", configNames: ["retention.ms"] };
 * ```
 */
export interface DescribeConfigResource {
  type: ConfigResourceType;
  /** A topic name, or a broker id in decimal. */
  name: string;
  configNames?: string[];
}

/**
 * One config entry (kafkajs's names).
 *
 * @example
 * ```ts
 * const entry: ConfigEntryDescription = { configName: "retention.ms", configValue: "86400000", readOnly: false, isDefault: false, configSource: "DYNAMIC_TOPIC_CONFIG", isSensitive: false };
 * ```
 */
export interface ConfigEntryDescription {
  configName: string;
  /** null when sensitive. */
  configValue: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: ConfigSource;
  isSensitive: boolean;
}

/**
 * The configs of one resource.
 *
 * @example
 * ```ts
 * const { resources } = await admin.describeConfigs({ resources: [{ type: "broker", name: "1" }] });
 * const described: DescribedConfigs = resources[0]!;
 * ```
 */
export interface DescribedConfigs {
  type: ConfigResourceType;
  name: string;
  configEntries: ConfigEntryDescription[];
}

/**
 * Changes to one resource: keys to set and keys to reset to their default (Kafka's
 * IncrementalAlterConfigs SET and DELETE). They apply all or none.
 *
 * @example
 * ```ts
 * const change: ConfigAlterationSpec = { type: "topic", name: "orders", set: { "retention.ms": 3_600_000 }, delete: ["cleanup.policy"] };
 * ```
 */
export interface ConfigAlterationSpec {
  type: ConfigResourceType;
  name: string;
  set?: Record<string, string | number | boolean>;
  delete?: string[];
}

/**
 * Which offset to look up: the log start, the high watermark, or the first offset with a timestamp
 * at or after a time (ms).
 *
 * @example
 * ```ts
 * const spec: OffsetSpec = Date.now() - 60_000;
 * ```
 */
export type OffsetSpec = "earliest" | "latest" | number;

/**
 * A found offset; `offset` and `timestamp` are -1 when no record has a timestamp at or after the one asked.
 *
 * @example
 * ```ts
 * const [{ partition, offset }]: ListedOffset[] = await admin.listOffsets({ topic: "t", partitions: [{ partition: 0, timestamp: "latest" }] });
 * ```
 */
export interface ListedOffset {
  partition: number;
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/**
 * The retry and timeout settings of an {@link Admin}.
 *
 * @example
 * ```ts
 * const options: AdminOptions = { retry: { retries: 2 }, timeoutMs: 10_000 };
 * ```
 */
export interface AdminOptions {
  retry?: RetryOptions;
  /** The broker-side timeout of topic operations; default 30 000. */
  timeoutMs?: number;
}
