/**
 * What every request handler reaches on the broker side: config, clock, logs, topics, metrics,
 * consumer groups and the replication seam, plus the lookups they share (a topic with auto-creation, a partition's log)
 * and the bookkeeping graceful shutdown needs (appends in flight).
 *
 * @example
 * ```ts
 * const log = await ctx.partitionLog("orders", 0); // or UNKNOWN_TOPIC_OR_PARTITION
 * const info = await ctx.trackAppend(log.append(bytes));
 * ```
 * @module
 */
import type { ClusterView } from "../core/cluster/cluster-view.ts";
import type { BrokerConfig } from "../core/config/broker-config.ts";
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import type { LogManager } from "../core/log/log-manager.ts";
import type { PartitionLog } from "../core/log/partition-log.ts";
import type { Clock } from "../core/ports/clock.ts";
import { createRoundRobin, type RoundRobin } from "../core/topic/partitioner.ts";
import { isInternalTopic } from "../core/topic/topic-name.ts";
import type { TopicDescription, TopicRegistry } from "../core/topic/topic-registry.ts";
import type { HelloLimits } from "../protocol/ops/hello.ts";
import type { ClusterNode } from "./cluster-node.ts";
import type { GroupService } from "./group-service.ts";
import type { BrokerMetrics } from "./metrics.ts";
import type { ReplicaWaiter } from "./replica-waiter.ts";

/**
 * Where the broker writes what operators should see.
 *
 * @example
 * ```ts
 * const logger: BrokerLogger = (level, message) => console[level](message);
 * ```
 */
export type BrokerLogger = (level: "info" | "warn" | "error", message: string) => void;

/**
 * The parts a {@link BrokerContext} is made of.
 *
 * @example
 * ```ts
 * const ctx = new BrokerContext({ config, clock, logs, topics, groups, metrics: new BrokerMetrics(), replicas: localReplicaWaiter(0), logger, clusterId, limits: connectionLimits(config), view: localClusterView(0, url, topics) });
 * ```
 */
export interface BrokerContextParts {
  config: BrokerConfig;
  clock: Clock;
  logs: LogManager;
  topics: TopicRegistry;
  /** The consumer groups: coordinator and member connections. */
  groups: GroupService;
  metrics: BrokerMetrics;
  replicas: ReplicaWaiter;
  logger: BrokerLogger;
  clusterId: string;
  limits: HelloLimits;
  /**
   * The broker's view of its cluster: the watched one in a cluster, `localClusterView` on a single
   * broker. Metadata (brokers, controller, partition leaders) answers from it.
   */
  view: ClusterView;
  /** The cluster membership and replication; undefined on a single broker. */
  cluster?: ClusterNode;
}

/**
 * The broker as handlers see it.
 *
 * @example
 * ```ts
 * const topic = await ctx.topic("orders", { autoCreate: true });
 * ctx.metrics.recordIn(topic.name, 1, bytes.length);
 * ```
 */
export class BrokerContext {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly logs: LogManager;
  readonly topics: TopicRegistry;
  readonly groups: GroupService;
  readonly metrics: BrokerMetrics;
  readonly replicas: ReplicaWaiter;
  readonly logger: BrokerLogger;
  readonly clusterId: string;
  readonly limits: HelloLimits;
  readonly view: ClusterView;
  readonly cluster: ClusterNode | undefined;
  /** Set when `Broker.close()` begins: no new sessions, requests answered with BROKER_NOT_AVAILABLE. */
  closing = false;
  private readonly spreaders = new Map<string, RoundRobin>();
  /** Appends registered with {@link trackAppend} that have not settled (a count: this runs per request). */
  private appendsInFlight = 0;
  private settledWaiters: (() => void)[] = [];

  constructor(parts: BrokerContextParts) {
    this.config = parts.config;
    this.clock = parts.clock;
    this.logs = parts.logs;
    this.topics = parts.topics;
    this.groups = parts.groups;
    this.metrics = parts.metrics;
    this.replicas = parts.replicas;
    this.logger = parts.logger;
    this.clusterId = parts.clusterId;
    this.limits = parts.limits;
    this.view = parts.view;
    this.cluster = parts.cluster;
  }

  /**
   * The topic, created with the broker's defaults when it does not exist and `autoCreate` is set and
   * `auto.create.topics.enable` is true. Throws UNKNOWN_TOPIC_OR_PARTITION otherwise, and
   * INVALID_TOPIC_EXCEPTION for a name that cannot be a topic.
   */
  async topic(name: string, options: { autoCreate: boolean }): Promise<TopicDescription> {
    const found = this.topics.get(name);
    if (found) return found;
    // Internal topics are created by their owners with their own settings, never by auto-creation.
    if (!options.autoCreate || !this.config.autoCreateTopicsEnable || isInternalTopic(name)) throw unknownTopic(name);
    try {
      const created = await this.topics.createTopic(name, {});
      this.logger("info", `Auto-created topic ${name} with ${created.partitions} partition(s)`);
      return created;
    } catch (error) {
      // Another request created it first.
      const raced = isEdgelogError(error, "TOPIC_ALREADY_EXISTS") ? this.topics.get(name) : undefined;
      if (raced) return raced;
      throw error;
    }
  }

  /** The log of a partition; UNKNOWN_TOPIC_OR_PARTITION when the topic or partition does not exist. */
  partitionLog(topic: string, partition: number): PartitionLog {
    const log = this.topics.get(topic) ? this.logs.getLog(topic, partition) : undefined;
    if (!log) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `This server does not host this topic-partition: ${topic}-${partition}`, {
        details: { topic, partition },
      });
    }
    return log;
  }

  /**
   * The log of a partition this broker leads: NOT_LEADER_OR_FOLLOWER on a broker of the cluster that
   * does not lead it (see {@link ReplicaWaiter.requireLeader}), else as {@link partitionLog}.
   */
  leaderLog(topic: string, partition: number): PartitionLog {
    if (this.topics.get(topic) !== undefined) this.replicas.requireLeader(topic, partition);
    return this.partitionLog(topic, partition);
  }

  /** The round-robin spreader of a topic's keyless produce requests. */
  spreader(topic: string): RoundRobin {
    let spreader = this.spreaders.get(topic);
    if (!spreader) {
      spreader = createRoundRobin(Math.floor(Math.random() * 0x7fff_ffff));
      this.spreaders.set(topic, spreader);
    }
    return spreader;
  }

  /** Forgets what the broker keeps per topic, after the topic was deleted. */
  topicDeleted(topic: string): void {
    this.spreaders.delete(topic);
    this.metrics.forgetTopic(topic);
  }

  /** Registers an append so that shutdown waits for it; returns the same promise. */
  trackAppend<T>(append: Promise<T>): Promise<T> {
    this.appendsInFlight++;
    append.then(this.appendSettled, this.appendSettled);
    return append;
  }

  /** Resolves once every append registered so far (and any registered meanwhile) has settled. */
  async appendsSettled(): Promise<void> {
    while (this.appendsInFlight > 0) await new Promise<void>((resolve) => this.settledWaiters.push(resolve));
  }

  private readonly appendSettled = (): void => {
    if (--this.appendsInFlight > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  };
}

function unknownTopic(name: string): EdgelogError {
  return new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `This server does not host this topic: ${name}`, { details: { topic: name } });
}
