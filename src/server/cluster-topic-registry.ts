/**
 * The {@link TopicRegistry} of a broker in a cluster: the same contract the single broker's registry
 * has, so every handler works unchanged, but the topics are the cluster's. Reads answer from the
 * watched cluster view; changes go through the cluster's admin operations (any broker may serve
 * them: they write the coordination store with compare-and-swap), and each resolves once this
 * broker's view has seen its write and replication here has taken up the roles it gives this broker.
 * Partition logs are created and deleted by the replication and `cluster-logs.ts`, not here.
 *
 * @example
 * ```ts
 * const topics = clusterTopicRegistry({ view, admin, clusterLogs, config, clock, settled: () => replicas.settled() });
 * await topics.createTopic("orders", { partitions: 3, replicationFactor: 3 });
 * topics.get("orders")?.id;
 * ```
 * @module
 */
import type { ClusterAdmin } from "../core/cluster/cluster-admin.ts";
import type { WatchedClusterView } from "../core/cluster/cluster-view-impl.ts";
import type { BrokerConfig } from "../core/config/broker-config.ts";
import { oneLine } from "../core/config/config-def.ts";
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import type { LogConfig } from "../core/log/log-config.ts";
import type { Clock } from "../core/ports/clock.ts";
import { describeTopicConfigs } from "../core/topic/topic-config.ts";
import type { TopicDescription, TopicRegistry } from "../core/topic/topic-registry.ts";
import type { ClusterLogs } from "./cluster-logs.ts";

/** How long a topic another broker just created may take to reach this broker's view. */
const SEEN_WAIT_MS = 2000;

/**
 * What {@link clusterTopicRegistry} needs.
 *
 * @example
 * ```ts
 * const options: ClusterTopicRegistryOptions = { view, admin, clusterLogs, config, clock, settled: async () => {} };
 * ```
 */
export interface ClusterTopicRegistryOptions {
  view: WatchedClusterView;
  admin: ClusterAdmin;
  clusterLogs: ClusterLogs;
  config: BrokerConfig;
  clock: Clock;
  /** Resolves once this broker's replication has taken up the roles the view gives it. */
  settled: () => Promise<void>;
}

/**
 * Creates the registry; see the module documentation.
 *
 * @example
 * ```ts
 * const topics: TopicRegistry = clusterTopicRegistry(options);
 * ```
 */
export function clusterTopicRegistry(options: ClusterTopicRegistryOptions): TopicRegistry {
  const { view, admin, clusterLogs, config } = options;
  const pending = new Set<Promise<unknown>>();

  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    const done = (): void => void pending.delete(work);
    work.then(done, done);
    return work;
  };
  /** Waits until this broker sees a write and has acted on it. */
  const seen = async (revision: number): Promise<void> => {
    if (revision <= 0) return;
    await view.waitForRevision(revision);
    await options.settled();
  };
  /** Resolves once the view has the topic, or after `ms`. */
  const visible = (name: string, ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (view.topicRecord(name) !== undefined) return resolve();
      const done = (): void => {
        stop();
        options.clock.clearTimer(timer);
        resolve();
      };
      const stop = view.onChange(() => {
        if (view.topicRecord(name) !== undefined) done();
      });
      const timer = options.clock.setTimer(ms, done);
    });
  const describe = (name: string): TopicDescription | undefined => {
    const record = view.topicRecord(name);
    if (record === undefined) return undefined;
    return { name, partitions: record.partitions, replicationFactor: record.replicationFactor, configs: { ...record.configs }, id: record.id };
  };
  const existing = (name: string): TopicDescription => {
    const found = describe(name);
    if (found === undefined) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Topic '${oneLine(String(name))}' does not exist.`, { details: { topic: name } });
    }
    return found;
  };

  return {
    createTopic(name, createOptions = {}) {
      return track(
        (async () => {
          let created;
          try {
            created = await admin.createTopic(name, {
              ...(createOptions.partitions === undefined ? {} : { partitions: createOptions.partitions }),
              ...(createOptions.replicationFactor === undefined ? {} : { replicationFactor: createOptions.replicationFactor }),
              ...(createOptions.configs === undefined ? {} : { configs: createOptions.configs }),
              ...(createOptions.validateOnly === undefined ? {} : { validateOnly: createOptions.validateOnly }),
            });
          } catch (error) {
            // Created by another broker a moment ago: let this broker's view catch up, so that a
            // caller that retries a lookup (auto-creation) finds it.
            if (isEdgelogError(error, "TOPIC_ALREADY_EXISTS")) await visible(name, SEEN_WAIT_MS);
            throw error;
          }
          await seen(created.revision);
          return { name, partitions: created.partitions, replicationFactor: created.replicationFactor, configs: created.configs, id: created.id };
        })(),
      );
    },
    deleteTopic(name) {
      return track(
        (async () => {
          const { revision } = await admin.deleteTopic(name);
          await seen(revision);
        })(),
      );
    },
    createPartitions(name, totalCount, partitionOptions = {}) {
      return track(
        (async () => {
          const changed = await admin.createPartitions(name, totalCount, { validateOnly: partitionOptions.validateOnly ?? false });
          await seen(changed.revision);
          return { name, partitions: changed.partitions, replicationFactor: changed.replicationFactor, configs: changed.configs, id: changed.id };
        })(),
      );
    },
    alterConfigs(name, set, remove = [], alterOptions = {}) {
      return track(
        (async () => {
          const changed = await admin.alterConfigs(name, set, remove, { validateOnly: alterOptions.validateOnly ?? false });
          await seen(changed.revision);
          return { name, partitions: changed.partitions, replicationFactor: changed.replicationFactor, configs: changed.configs, id: changed.id };
        })(),
      );
    },
    describe: existing,
    get: describe,
    list: () => view.topics().map((t) => describe(t.name)).filter((t): t is TopicDescription => t !== undefined),
    logConfig(name): LogConfig {
      existing(name);
      return clusterLogs.configFor(name);
    },
    describeConfigs(name) {
      return describeTopicConfigs(existing(name).configs, config);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
