/**
 * The partition logs of a broker in a cluster: it holds a log for every partition the cluster view
 * assigns to it (a replica), with the topic's config from the view, and no other.
 *
 * - {@link ClusterLogs.logFor} is the replication's get-or-create: it opens the log of an assigned
 *   partition with the topic's config and writes Kafka's `partition.metadata` (`version: 0`,
 *   `topic_id: <id>`) beside its segments.
 * - A log whose `partition.metadata` names another topic id belongs to a deleted topic of the same
 *   name: it is deleted before the new topic's log is created. A log without the file (written by a
 *   single broker, before clustering) is adopted with a warning.
 * - After each change of the view it applies changed topic configs to the local logs, and deletes
 *   the logs of partitions that were deleted or reassigned away from this broker, once replication
 *   has let go of them. Logs of topics the cluster never knew (a single broker's data) are left as
 *   they are, with a warning, and not served.
 *
 * @example
 * ```ts
 * const logs = new ClusterLogs({ fs, logs: logManager, view, config, logger });
 * await logs.load();
 * const log = await logs.logFor("orders", 0);
 * const stop = logs.follow(() => replicas.settled());
 * ```
 * @module
 */
import { brokerLogDefaults, type BrokerConfig } from "../core/config/broker-config.ts";
import { parseProperties } from "../core/config/properties.ts";
import type { ClusterTopic } from "../core/cluster/cluster-view.ts";
import type { WatchedClusterView } from "../core/cluster/cluster-view-impl.ts";
import { EdgelogError } from "../core/errors.ts";
import type { LogConfig } from "../core/log/log-config.ts";
import { topicPartitionKey } from "../core/log/checkpoint-file.ts";
import type { LogManager } from "../core/log/log-manager.ts";
import type { PartitionLog } from "../core/log/partition-log.ts";
import { isNotFound, joinPath, writeFileAtomic, type FileSystem } from "../core/ports/file-system.ts";
import { resolveLogConfig } from "../core/topic/topic-config.ts";
import type { BrokerLogger } from "./broker-context.ts";

/**
 * The file naming a partition log's topic id, as Kafka writes it.
 *
 * @example
 * ```ts
 * joinPath(log.dir, PARTITION_METADATA); // "data/orders-0/partition.metadata"
 * ```
 */
export const PARTITION_METADATA = "partition.metadata";

/**
 * What {@link ClusterLogs} works with.
 *
 * @example
 * ```ts
 * const options: ClusterLogsOptions = { fs, logs, view, config, logger: () => {} };
 * ```
 */
export interface ClusterLogsOptions {
  fs: FileSystem;
  logs: LogManager;
  view: WatchedClusterView;
  config: BrokerConfig;
  logger: BrokerLogger;
}

/**
 * The cluster's logs on this broker; see the module documentation.
 *
 * @example
 * ```ts
 * clusterLogs.configFor("orders").retentionMs;
 * ```
 */
export class ClusterLogs {
  private readonly fs: FileSystem;
  private readonly logs: LogManager;
  private readonly view: WatchedClusterView;
  private readonly logger: BrokerLogger;
  private readonly defaults: LogConfig;
  /** The topic id of each local log: the id it was created for, or undefined for a log from before clustering. */
  private readonly ids = new Map<string, string | undefined>();
  private readonly configs = new Map<string, { configs: string; config: LogConfig }>();
  private readonly strays = new Set<string>();
  private pass: Promise<void> = Promise.resolve();
  private passQueued = false;
  private closed = false;

  constructor(options: ClusterLogsOptions) {
    this.fs = options.fs;
    this.logs = options.logs;
    this.view = options.view;
    this.logger = options.logger;
    this.defaults = brokerLogDefaults(options.config);
  }

  /** Reads the topic id of every local log. */
  async load(): Promise<void> {
    for (const log of this.logs.logs()) this.ids.set(topicPartitionKey(log.topic, log.partition), await this.readTopicId(log));
  }

  /** The settings the partitions of a topic run with (the broker's defaults under the topic's overrides). */
  configFor(topic: string): LogConfig {
    const record = this.view.topicRecord(topic);
    if (record === undefined) return { ...this.defaults, cleanupPolicy: [...this.defaults.cleanupPolicy] };
    const text = JSON.stringify(Object.entries(record.configs).sort());
    let cached = this.configs.get(topic);
    if (cached === undefined || cached.configs !== text) {
      cached = { configs: text, config: resolveLogConfig(record.configs, this.defaults) };
      this.configs.set(topic, cached);
    }
    return { ...cached.config, cleanupPolicy: [...cached.config.cleanupPolicy] };
  }

  /**
   * The log of a partition the cluster knows, created with its topic's config when missing (or when
   * the local one belongs to an earlier topic of the same name). UNKNOWN_TOPIC_OR_PARTITION otherwise.
   */
  async logFor(topic: string, partition: number): Promise<PartitionLog> {
    const record = this.view.topicRecord(topic);
    if (record === undefined || partition >= record.partitions) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `The cluster has no partition ${topic}-${partition}`, { details: { topic, partition } });
    }
    const key = topicPartitionKey(topic, partition);
    const existing = this.logs.getLog(topic, partition);
    if (existing !== undefined) {
      const id = this.ids.get(key);
      if (id === record.id) return existing;
      if (id !== undefined) {
        this.logger("info", `Deleting the log of ${topic}-${partition}: it belongs to an earlier topic ${topic} (id ${id}, now ${record.id})`);
        await this.logs.deleteLog(topic, partition);
        this.ids.delete(key);
      } else {
        this.logger("warn", `Adopting the log of ${topic}-${partition}, written before this broker joined the cluster, for topic id ${record.id}`);
        await this.writeTopicId(existing, record.id);
        this.ids.set(key, record.id);
        this.strays.delete(key);
        return existing;
      }
    }
    const log = await this.logs.createLog(topic, partition, this.configFor(topic));
    await this.writeTopicId(log, record.id);
    this.ids.set(key, record.id);
    return log;
  }

  /**
   * Starts following the view: after each change, configs are applied and logs no longer assigned
   * here are deleted once `settled()` (the replication's) resolves. Returns the function that stops.
   */
  follow(settled: () => Promise<void>): () => void {
    const stop = this.view.onChange((change) => {
      if (change.type !== "brokers") this.schedule(settled);
    });
    this.schedule(settled);
    return () => {
      stop();
      this.closed = true;
    };
  }

  /** Resolves once the passes scheduled so far have run. */
  async idle(): Promise<void> {
    while (this.passQueued) await this.pass;
    await this.pass;
  }

  private schedule(settled: () => Promise<void>): void {
    if (this.passQueued || this.closed) return;
    this.passQueued = true;
    this.pass = this.pass.then(async () => {
      this.passQueued = false;
      if (this.closed) return;
      try {
        await settled();
        await this.reconcile();
      } catch (error) {
        this.logger("warn", `Reconciling the partition logs with the cluster failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  private async reconcile(): Promise<void> {
    const topics = new Map<string, ClusterTopic>(this.view.topics().map((t) => [t.name, t]));
    const local = this.view.localBrokerId;
    for (const log of this.logs.logs()) {
      if (this.closed) return;
      const key = topicPartitionKey(log.topic, log.partition);
      const id = this.ids.get(key);
      const record = this.view.topicRecord(log.topic);
      if (id === undefined) {
        if (!this.strays.has(key) && record === undefined) {
          this.strays.add(key);
          this.logger("warn", `The log ${log.dir} is not part of the cluster ${this.view.keys.clusterId}: kept as it is and not served`);
        }
        continue;
      }
      const state = this.view.partition(log.topic, log.partition);
      const sameTopic = record !== undefined && record.id === id && log.partition < record.partitions;
      // A partition of the topic whose state is not written yet (a large topic is written in several
      // transactions) keeps its log until the state says where the replicas are.
      const assigned = sameTopic && (state === undefined || state.replicas.includes(local));
      if (!assigned) {
        this.logger("info", `Deleting the log of ${log.topic}-${log.partition}: this broker holds no replica of it any more`);
        await this.logs.deleteLog(log.topic, log.partition);
        this.ids.delete(key);
        continue;
      }
      const topic = topics.get(log.topic);
      if (topic !== undefined) {
        const config = this.configFor(log.topic);
        if (JSON.stringify(config) !== JSON.stringify(log.config)) this.logs.updateLogConfig(log.topic, log.partition, config);
      }
    }
  }

  private async readTopicId(log: PartitionLog): Promise<string | undefined> {
    const path = joinPath(log.dir, PARTITION_METADATA);
    let text: string;
    try {
      text = new TextDecoder().decode(await this.fs.readFile(path));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const id = parseProperties(text).get("topic_id");
    if (id === undefined || id === "") this.logger("warn", `${path} names no topic_id`);
    return id === "" ? undefined : id;
  }

  private async writeTopicId(log: PartitionLog, id: string): Promise<void> {
    await writeFileAtomic(this.fs, joinPath(log.dir, PARTITION_METADATA), new TextEncoder().encode(`version: 0\ntopic_id: ${id}\n`));
  }
}
