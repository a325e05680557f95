/**
 * The broker's consumer groups: the group coordinator (`src/core/group`) on `__consumer_offsets`
 * (`group-offsets-topic.ts`), configured from the broker's `offsets.*` and `group.*` keys, the
 * members' links to their connections (`group-members.ts`), and the log lookups the admin side
 * needs (log ends for lag, log bounds and time lookups for resetOffsets), plus the per-partition
 * gauges `/metrics` exports. {@link GroupService.open} loads the committed offsets before the broker
 * serves anything. In a cluster the coordinator answers only for the groups whose
 * `__consumer_offsets` partition this broker leads (`cluster-group-gate.ts`).
 *
 * @example
 * ```ts
 * const groups = await GroupService.open({ config, clock, logs, topics, logger });
 * groups.coordinator.listGroups();
 * await groups.close();
 * ```
 * @module
 */
import type { BrokerConfig } from "../core/config/broker-config.ts";
import { EdgelogError } from "../core/errors.ts";
import { createGroupCoordinator, type GroupCoordinator } from "../core/group/group-coordinator.ts";
import { groupCoordinatorConfigFromBroker } from "../core/group/group-coordinator-config.ts";
import type { LogOffsetsLookup } from "../core/group/reset-offsets.ts";
import type { LogManager } from "../core/log/log-manager.ts";
import type { Clock } from "../core/ports/clock.ts";
import { CONSUMER_OFFSETS_TOPIC } from "../core/topic/topic-name.ts";
import type { TopicRegistry } from "../core/topic/topic-registry.ts";
import type { BrokerLogger } from "./broker-context.ts";
import { ClusterGroupGate } from "./cluster-group-gate.ts";
import type { ClusterNode } from "./cluster-node.ts";
import { GroupMembers } from "./group-members.ts";
import { consumerOffsetsPartitions, consumerOffsetsStore } from "./group-offsets-topic.ts";
import type { GroupOffsetGauge } from "./metrics.ts";

/**
 * What {@link GroupService.open} needs.
 *
 * @example
 * ```ts
 * const options: GroupServiceOptions = { config, clock, logs, topics, logger: () => {} };
 * ```
 */
export interface GroupServiceOptions {
  config: BrokerConfig;
  clock: Clock;
  logs: LogManager;
  topics: TopicRegistry;
  logger: BrokerLogger;
  /** The broker's cluster; absent on a single broker. */
  cluster?: ClusterNode;
}

/**
 * The coordinator and the server-side pieces around it; see the module documentation.
 *
 * @example
 * ```ts
 * const lag = groups.coordinator.describeLag("billing", groups.logEnd);
 * ```
 */
export class GroupService {
  /** Resolves a partition's high watermark, -1 when the partition does not exist (lag shows "-"). */
  readonly logEnd: (topic: string, partition: number) => number;
  /** Log bounds and time lookups for resetOffsets (the high watermark as the log end). */
  readonly logOffsets: LogOffsetsLookup;

  private constructor(
    readonly coordinator: GroupCoordinator,
    readonly members: GroupMembers,
    private readonly options: GroupServiceOptions,
    /** Which groups this broker coordinates, in a cluster. */
    readonly clusterGate?: ClusterGroupGate,
    private readonly stopGate?: () => void,
  ) {
    const { logs, topics } = options;
    const logOf = (topic: string, partition: number) => {
      const log = topics.get(topic) ? logs.getLog(topic, partition) : undefined;
      if (!log) throw unknownPartition(topic, partition);
      return log;
    };
    this.logEnd = (topic, partition) => (topics.get(topic) ? logs.getLog(topic, partition)?.highWatermark : undefined) ?? -1;
    this.logOffsets = {
      logStartOffset: (topic, partition) => logOf(topic, partition).logStartOffset,
      logEndOffset: (topic, partition) => logOf(topic, partition).highWatermark,
      offsetForTimestamp: async (topic, partition, timestamp) => (await logOf(topic, partition).offsetForTimestamp(timestamp))?.offset ?? null,
    };
  }

  /**
   * Builds the coordinator on `__consumer_offsets` and loads it (reads the committed offsets of the
   * topic when it exists).
   *
   * @example
   * ```ts
   * const groups = await GroupService.open({ config, clock, logs, topics, logger });
   * ```
   */
  static async open(options: GroupServiceOptions): Promise<GroupService> {
    const { config, clock, topics, logger, cluster } = options;
    let coordinator: GroupCoordinator | undefined;
    const members = new GroupMembers({
      epochOf: (groupId, memberId) =>
        coordinator?.describeGroups([groupId])[0]?.members.find((m) => m.memberId === memberId)?.memberEpoch ?? -1,
    });
    const offsetsLog = consumerOffsetsStore({ ...options, ...(cluster === undefined ? {} : { replicas: cluster.replicas }) });
    const offsetsTopicPartitions = consumerOffsetsPartitions(config, topics);
    const raw = createGroupCoordinator({
      clock,
      offsetsLog,
      topics: {
        partitionsOf: (topic) => topics.get(topic)?.partitions,
        listTopics: () => topics.list().map((t) => t.name),
      },
      config: { ...groupCoordinatorConfigFromBroker(config), offsetsTopicPartitions },
      onAssignmentChange: (groupId, memberId, assignment) => members.assignmentChanged(groupId, memberId, assignment),
      // Members hear of revocations and freed partitions by push, not at their next heartbeat.
      reconcileEagerly: true,
      logger,
    });
    coordinator = raw;
    await raw.load();
    const groups = raw.listGroups();
    if (groups.length > 0) logger("info", `Loaded ${groups.length} consumer group(s) from ${CONSUMER_OFFSETS_TOPIC}`);
    if (cluster === undefined) return new GroupService(raw, members, options);
    const gate = new ClusterGroupGate({ cluster, partitions: () => offsetsTopicPartitions, ensureTopic: () => offsetsLog.ensureTopic(), logger });
    return new GroupService(gate.wrap(raw), members, options, gate, gate.follow(raw));
  }

  /**
   * The committed offset and lag of every partition each group has an offset for, computed now,
   * for `/metrics`.
   *
   * @example
   * ```ts
   * metrics.render({ connections, partitions, groups: groups.offsetGauges() });
   * ```
   */
  offsetGauges(): GroupOffsetGauge[] {
    const gauges: GroupOffsetGauge[] = [];
    let listed;
    try {
      listed = this.coordinator.listGroups();
    } catch {
      return gauges; // loading or closed: nothing to export
    }
    for (const { groupId } of listed) {
      let rows;
      try {
        rows = this.coordinator.describeLag(groupId, this.logEnd).rows;
      } catch {
        continue; // deleted meanwhile
      }
      for (const row of rows) {
        if (row.topic === null || row.partition === null || row.currentOffset === null) continue;
        gauges.push({ group: groupId, topic: row.topic, partition: row.partition, committedOffset: row.currentOffset, lag: row.lag });
      }
    }
    return gauges;
  }

  /** Ends every group subscription and closes the coordinator (waits for offset writes in flight). */
  async close(): Promise<void> {
    this.stopGate?.();
    this.members.clear();
    await this.coordinator.close();
    this.options.logger("info", "Group coordinator stopped");
  }
}

function unknownPartition(topic: string, partition: number): EdgelogError {
  return new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `This server does not host this topic-partition: ${topic}-${partition}`, {
    details: { topic, partition },
  });
}
