/**
 * The broker's topics: their partition counts, replication factors, config overrides and topic ids,
 * persisted in `<dir>/__edgelog_topics.json` (written atomically), with the partition logs opened,
 * reconfigured and deleted through a {@link LogStore}.
 *
 * Changes run one at a time, in call order. Each is written to disk before its logs are touched, so
 * a crash leaves a state the next {@link openTopicRegistry} completes: it creates missing partition
 * logs, finishes interrupted deletions, and applies each topic's config to its existing logs. A
 * change that fails part-way is rolled back (logs it created are deleted, the previous registry is
 * written again) before its error is thrown. Reads see a topic once its logs exist.
 *
 * @example
 * ```ts
 * const registry = await openTopicRegistry({ fs, logs: logManager, dir: "data", brokerConfig });
 * await registry.createTopic("orders", { partitions: 3, configs: { "retention.ms": "86400000" } });
 * await registry.createPartitions("orders", 6);
 * await registry.alterConfigs("orders", { "cleanup.policy": "compact" }, ["retention.ms"]);
 * registry.describe("orders"); // { name: "orders", partitions: 6, replicationFactor: 1, configs: {...}, id: "..." }
 * await registry.deleteTopic("orders");
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { LogConfig } from "../log/log-config.ts";
import { joinPath, type FileSystem } from "../ports/file-system.ts";
import { oneLine } from "../config/config-def.ts";
import { brokerLogDefaults, type BrokerConfig } from "../config/broker-config.ts";
import { describeTopicConfigs, resolveLogConfig, topicConfigKey, validateTopicConfigs, type TopicConfigEntry } from "./topic-config.ts";
import { topicNamesCollide, validateTopicName } from "./topic-name.ts";
import { readTopicRegistry, TOPIC_REGISTRY_FILE, writeTopicRegistry, type TopicRecord } from "./topic-registry-file.ts";
import { newTopicId, ZERO_TOPIC_ID } from "./topic-id.ts";

/**
 * What the registry needs from the log manager: create, delete and reconfigure partition logs.
 *
 * @example
 * ```ts
 * const logs: LogStore = {
 *   createLog: async (topic, partition, config) => manager.createLog(topic, partition, config),
 *   deleteLog: (topic, partition) => manager.deleteLog(topic, partition),
 *   updateLogConfig: (topic, partition, config) => manager.getLog(topic, partition)?.updateConfig(config),
 *   hasLog: (topic, partition) => manager.getLog(topic, partition) !== undefined,
 * };
 * ```
 */
export interface LogStore {
  createLog(topic: string, partition: number, config: LogConfig): Promise<unknown>;
  deleteLog(topic: string, partition: number): Promise<void>;
  updateLogConfig(topic: string, partition: number, config: LogConfig): void;
  hasLog(topic: string, partition: number): boolean;
}

/**
 * One topic as the registry describes it.
 *
 * @example
 * ```ts
 * const t: TopicDescription = registry.describe("orders");
 * console.log(`${t.name}: ${t.partitions} partition(s), id ${t.id}`);
 * ```
 */
export interface TopicDescription {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** The topic's config overrides (Kafka's names), not the broker defaults. */
  configs: Record<string, string>;
  /** Kafka's topic id: 16 random bytes, base64url without padding (22 characters). */
  id: string;
}

/**
 * Options for {@link TopicRegistry.createTopic}.
 *
 * @example
 * ```ts
 * await registry.createTopic("events", { partitions: 6, replicationFactor: 1, configs: { "cleanup.policy": "compact" } });
 * ```
 */
export interface CreateTopicOptions {
  /** Partition count; omitted or -1 takes `num.partitions`. */
  partitions?: number;
  /** Replication factor; omitted or -1 takes `default.replication.factor`. */
  replicationFactor?: number;
  /** Topic-level config overrides. */
  configs?: Record<string, string>;
  /** Check everything, change nothing (Kafka's validateOnly); the returned id is all zeros. */
  validateOnly?: boolean;
}

/**
 * Options for {@link openTopicRegistry}.
 *
 * @example
 * ```ts
 * await openTopicRegistry({ fs, logs, dir: "data", brokerConfig, brokerCount: () => cluster.size });
 * ```
 */
export interface TopicRegistryOptions {
  fs: FileSystem;
  logs: LogStore;
  /** The directory holding `__edgelog_topics.json` (the first log dir). */
  dir: string;
  brokerConfig: BrokerConfig;
  /** Brokers available for replicas (default 1); a function is asked at each creation. */
  brokerCount?: number | (() => number);
}

/**
 * The topics of a broker; see the module documentation.
 *
 * @example
 * ```ts
 * const registry: TopicRegistry = await openTopicRegistry({ fs, logs, dir: "data", brokerConfig });
 * await registry.createTopic("orders", { partitions: 3 });
 * ```
 */
export interface TopicRegistry {
  /** Creates a topic and its partition logs. */
  createTopic(name: string, options?: CreateTopicOptions): Promise<TopicDescription>;
  /** Deletes a topic and its partition logs. */
  deleteTopic(name: string): Promise<void>;
  /** Raises a topic's partition count to `totalCount` (never lowers it). */
  createPartitions(name: string, totalCount: number, options?: { validateOnly?: boolean }): Promise<TopicDescription>;
  /** Sets and removes config overrides, then applies the result to every partition log. */
  alterConfigs(name: string, set: Record<string, string>, remove?: string[], options?: { validateOnly?: boolean }): Promise<TopicDescription>;
  /** The topic; throws UNKNOWN_TOPIC_OR_PARTITION when there is none. */
  describe(name: string): TopicDescription;
  /** The topic, or undefined. */
  get(name: string): TopicDescription | undefined;
  /** Every topic, in name order. */
  list(): TopicDescription[];
  /** The settings the topic's partition logs run with. */
  logConfig(name: string): LogConfig;
  /** Every topic-level config of the topic with its value and source, as Kafka's DescribeConfigs. */
  describeConfigs(name: string): TopicConfigEntry[];
  /** Resolves once every change called so far has finished. */
  idle(): Promise<void>;
}

/** The registry file's name, re-exported from `topic-registry-file.ts`. */
export { TOPIC_REGISTRY_FILE };

/**
 * Kafka's cap on the partitions one request may create.
 *
 * @example
 * ```ts
 * await registry.createTopic("huge", { partitions: MAX_PARTITIONS_PER_REQUEST + 1 }); // throws POLICY_VIOLATION
 * ```
 */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

type Records = ReadonlyMap<string, TopicRecord>;

/**
 * Opens the registry: reads `<dir>/__edgelog_topics.json`, finishes interrupted deletions, creates
 * missing partition logs and applies each topic's config to its logs. An unreadable registry file
 * throws `KAFKA_STORAGE_ERROR` and is left as it is.
 *
 * @example
 * ```ts
 * const registry = await openTopicRegistry({ fs, logs, dir: config.logDirs[0]!, brokerConfig: config });
 * registry.list().map((t) => t.name);
 * ```
 */
export async function openTopicRegistry(options: TopicRegistryOptions): Promise<TopicRegistry> {
  const { fs, logs, dir, brokerConfig } = options;
  const path = joinPath(dir, TOPIC_REGISTRY_FILE);
  const brokerDefaults = brokerLogDefaults(brokerConfig);
  const brokerCount = (): number => (typeof options.brokerCount === "function" ? options.brokerCount() : (options.brokerCount ?? 1));

  await fs.mkdir(dir);
  let records: Records = await readTopicRegistry(fs, path);
  let tail: Promise<unknown> = Promise.resolve();

  const persist = (next: Records): Promise<void> => writeTopicRegistry(fs, path, next.values());
  const serialize = <T>(op: () => Promise<T>): Promise<T> => {
    const result = tail.then(op);
    tail = result.catch(() => undefined);
    return result;
  };
  const live = (name: string): TopicRecord | undefined => {
    const record = records.get(name);
    return record && !record.deleting ? record : undefined;
  };
  const existing = (name: string): TopicRecord => {
    const record = live(name);
    if (!record) throw unknownTopic(name);
    return record;
  };
  // Records are replaced, never changed, so each one's resolved config is computed once.
  const resolved = new WeakMap<TopicRecord, LogConfig>();
  const configOf = (record: TopicRecord): LogConfig => {
    let config = resolved.get(record);
    if (!config) resolved.set(record, (config = resolveLogConfig(record.configs, brokerDefaults)));
    return { ...config, cleanupPolicy: [...config.cleanupPolicy] };
  };
  const totalPartitions = (): number => [...records.values()].reduce((sum, r) => sum + r.partitions, 0);
  const checkPartitionLimit = (adding: number): void => {
    const total = totalPartitions() + adding;
    if (total > brokerConfig.maxPartitions) {
      throw new EdgelogError(
        "POLICY_VIOLATION",
        `Adding ${adding} partition(s) would bring this broker to ${total}, over edgelog.max.partitions=${brokerConfig.maxPartitions}`,
      );
    }
  };
  const createLogs = async (record: TopicRecord, from: number, previous: Records): Promise<void> => {
    const config = configOf(record);
    const created: number[] = [];
    try {
      for (let p = from; p < record.partitions; p++) {
        if (logs.hasLog(record.name, p)) continue;
        await logs.createLog(record.name, p, config);
        created.push(p);
      }
    } catch (error) {
      await Promise.allSettled(created.map((p) => logs.deleteLog(record.name, p)));
      await persist(previous).catch(() => undefined);
      throw error;
    }
  };
  const deleteLogs = async (record: TopicRecord): Promise<void> => {
    for (let p = 0; p < record.partitions; p++) {
      if (logs.hasLog(record.name, p)) await logs.deleteLog(record.name, p);
    }
  };

  // Complete what a crash may have interrupted.
  for (const record of [...records.values()]) {
    if (!record.deleting) continue;
    await deleteLogs(record);
    const next = new Map(records);
    next.delete(record.name);
    await persist(next);
    records = next;
  }
  for (const record of records.values()) {
    const config = configOf(record);
    for (let p = 0; p < record.partitions; p++) {
      if (logs.hasLog(record.name, p)) logs.updateLogConfig(record.name, p, config);
      else await logs.createLog(record.name, p, config);
    }
  }

  return {
    createTopic(name, createOptions = {}) {
      return serialize(async () => {
        validateTopicName(name);
        const found = records.get(name);
        if (found) {
          const message = found.deleting ? `Topic '${name}' is marked for deletion.` : `Topic '${name}' already exists.`;
          throw new EdgelogError("TOPIC_ALREADY_EXISTS", message, { details: { topic: name } });
        }
        for (const other of records.keys()) {
          if (topicNamesCollide(name, other)) {
            throw new EdgelogError("INVALID_TOPIC_EXCEPTION", `Topic '${name}' collides with existing topic: ${other}`, {
              details: { topic: name },
            });
          }
        }
        const partitions = partitionCount(createOptions.partitions, brokerConfig.numPartitions);
        const replicationFactor = replicationFactorOf(createOptions.replicationFactor, brokerConfig.defaultReplicationFactor, brokerCount());
        const configs = validateTopicConfigs(createOptions.configs ?? {});
        checkPartitionLimit(partitions);
        if (createOptions.validateOnly) return { name, partitions, replicationFactor, configs, id: ZERO_TOPIC_ID };

        const record: TopicRecord = { name, partitions, replicationFactor, configs, id: newTopicId() };
        const previous = records;
        const next = new Map(records).set(name, record);
        await persist(next);
        await createLogs(record, 0, previous);
        records = next;
        return view(record);
      });
    },

    deleteTopic(name) {
      return serialize(async () => {
        const record = records.get(name);
        if (!record) throw unknownTopic(name);
        if (!brokerConfig.deleteTopicEnable) {
          throw new EdgelogError("TOPIC_DELETION_DISABLED", "Topic deletion is disabled.", { details: { topic: name } });
        }
        if (!record.deleting) {
          // A deletion that failed part-way stays marked; calling again retries it.
          const marked = new Map(records).set(name, { ...record, deleting: true });
          await persist(marked);
          records = marked;
        }
        await deleteLogs(record);
        const next = new Map(records);
        next.delete(name);
        await persist(next);
        records = next;
      });
    },

    createPartitions(name, totalCount, partitionOptions = {}) {
      return serialize(async () => {
        const record = existing(name);
        if (!Number.isInteger(totalCount) || totalCount < 1) {
          throw new EdgelogError("INVALID_PARTITIONS", `The partition count must be a positive integer, got ${String(totalCount)}.`);
        }
        if (totalCount < record.partitions) {
          throw new EdgelogError(
            "INVALID_PARTITIONS",
            `Topic currently has ${record.partitions} partitions, which is higher than the requested ${totalCount}.`,
          );
        }
        if (totalCount === record.partitions) {
          throw new EdgelogError("INVALID_PARTITIONS", `Topic already has ${record.partitions} partition(s).`);
        }
        const adding = totalCount - record.partitions;
        if (adding > MAX_PARTITIONS_PER_REQUEST) {
          throw new EdgelogError("POLICY_VIOLATION", "Excessively large number of partitions per request.");
        }
        checkPartitionLimit(adding);
        const updated: TopicRecord = { ...record, partitions: totalCount };
        if (partitionOptions.validateOnly) return view(updated);
        const previous = records;
        const next = new Map(records).set(name, updated);
        await persist(next);
        await createLogs(updated, record.partitions, previous);
        records = next;
        return view(updated);
      });
    },

    alterConfigs(name, set, remove = [], alterOptions = {}) {
      return serialize(async () => {
        const record = existing(name);
        for (const key of remove) {
          if (Object.hasOwn(set, key)) throw new EdgelogError("INVALID_REQUEST", `Error due to duplicate config keys: ${key}`);
          if (!topicConfigKey(key)) throw new EdgelogError("INVALID_CONFIG", `Unknown topic config name: ${key}`, { details: { config: key } });
        }
        const merged: Record<string, string> = { ...record.configs, ...set };
        for (const key of remove) delete merged[key];
        const configs = validateTopicConfigs(merged);
        const updated: TopicRecord = { ...record, configs };
        if (alterOptions.validateOnly) return view(updated);
        const next = new Map(records).set(name, updated);
        await persist(next);
        records = next;
        const config = configOf(updated);
        for (let p = 0; p < updated.partitions; p++) {
          if (logs.hasLog(name, p)) logs.updateLogConfig(name, p, config);
        }
        return view(updated);
      });
    },

    describe(name) {
      return view(existing(name));
    },

    get(name) {
      const record = live(name);
      return record ? view(record) : undefined;
    },

    list() {
      return [...records.values()]
        .filter((r) => !r.deleting)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(view);
    },

    logConfig(name) {
      return configOf(existing(name));
    },

    describeConfigs(name) {
      return describeTopicConfigs(existing(name).configs, brokerConfig);
    },

    async idle() {
      await tail;
    },
  };
}

function view(record: TopicRecord): TopicDescription {
  return {
    name: record.name,
    partitions: record.partitions,
    replicationFactor: record.replicationFactor,
    configs: { ...record.configs },
    id: record.id,
  };
}

function unknownTopic(name: string): EdgelogError {
  return new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${oneLine(String(name))}' does not exist.`, { details: { topic: name } });
}

function partitionCount(requested: number | undefined, fallback: number): number {
  const count = requested === undefined || requested === -1 ? fallback : requested;
  if (!Number.isInteger(count) || count < 1) {
    throw new EdgelogError("INVALID_PARTITIONS", "Number of partitions was set to an invalid non-positive value.");
  }
  if (count > MAX_PARTITIONS_PER_REQUEST) {
    throw new EdgelogError("POLICY_VIOLATION", "Excessively large number of partitions per request.");
  }
  return count;
}

function replicationFactorOf(requested: number | undefined, fallback: number, brokers: number): number {
  const factor = requested === undefined || requested === -1 ? fallback : requested;
  if (!Number.isInteger(factor) || factor < 1) {
    throw new EdgelogError("INVALID_REPLICATION_FACTOR", "Replication factor must be larger than 0, or -1 to use the default value.");
  }
  if (factor > brokers) {
    throw new EdgelogError(
      "INVALID_REPLICATION_FACTOR",
      `Unable to replicate the partition ${factor} time(s): The target replication factor of ${factor} cannot be reached because only ${brokers} broker(s) are registered.`,
    );
  }
  return factor;
}
