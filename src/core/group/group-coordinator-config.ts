/**
 * The settings of the group coordinator, with Kafka's defaults, and their mapping from the broker's
 * configuration (`offsets.*`, `group.*` keys).
 *
 * @example
 * ```ts
 * const config = resolveGroupCoordinatorConfig({ ...groupCoordinatorConfigFromBroker(brokerConfig), sessionTimeoutMs: 10_000 });
 * ```
 * @module
 */
import type { BrokerConfig } from "../config/broker-config.ts";

/**
 * Resolved coordinator settings (milliseconds unless said otherwise).
 *
 * @example
 * ```ts
 * const c: GroupCoordinatorConfig = { ...defaultGroupCoordinatorConfig, initialRebalanceDelayMs: 0 };
 * ```
 */
export interface GroupCoordinatorConfig {
  /** Session timeout of members that do not ask for one (the consumer's `session.timeout.ms` default). */
  sessionTimeoutMs: number;
  /** How often members should heartbeat; returned in every heartbeat response. */
  heartbeatIntervalMs: number;
  /** Time a member has to release revoked partitions when it does not say (`max.poll.interval.ms` default). */
  rebalanceTimeoutMs: number;
  /** `group.initial.rebalance.delay.ms`: how long a new (or emptied) group waits for more members before assigning. */
  initialRebalanceDelayMs: number;
  /** `group.min.session.timeout.ms`. */
  minSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms`. */
  maxSessionTimeoutMs: number;
  /** `offsets.retention.minutes` in milliseconds. */
  offsetsRetentionMs: number;
  /** `offsets.retention.check.interval.ms`. */
  offsetsRetentionCheckIntervalMs: number;
  /** `offsets.topic.num.partitions`. */
  offsetsTopicPartitions: number;
  /** `offset.metadata.max.bytes`: the longest commit metadata string, in UTF-8 bytes. */
  offsetMetadataMaxBytes: number;
  /** `group.max.size`. */
  maxGroupSize: number;
}

/**
 * Kafka's defaults.
 *
 * @example
 * ```ts
 * defaultGroupCoordinatorConfig.offsetsTopicPartitions; // 50
 * ```
 */
export const defaultGroupCoordinatorConfig: Readonly<GroupCoordinatorConfig> = Object.freeze({
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 300_000,
  initialRebalanceDelayMs: 3_000,
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetsTopicPartitions: 50,
  offsetMetadataMaxBytes: 4096,
  maxGroupSize: 2_147_483_647,
});

/**
 * Fills in defaults and checks the values; a bad value is a `RangeError` naming the setting.
 *
 * @example
 * ```ts
 * resolveGroupCoordinatorConfig({ initialRebalanceDelayMs: 0 }).heartbeatIntervalMs; // 3000
 * resolveGroupCoordinatorConfig({ offsetsTopicPartitions: 0 }); // throws RangeError
 * ```
 */
export function resolveGroupCoordinatorConfig(partial: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig {
  const config = { ...defaultGroupCoordinatorConfig };
  for (const [key, value] of Object.entries(partial) as Array<[keyof GroupCoordinatorConfig, number | undefined]>) {
    if (value === undefined) continue;
    if (!Object.hasOwn(defaultGroupCoordinatorConfig, key)) throw new RangeError(`Unknown group coordinator setting ${key}`);
    config[key] = value;
  }
  for (const [key, value] of Object.entries(config)) {
    const min = key === "initialRebalanceDelayMs" ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`Group coordinator setting ${key} must be an integer ≥ ${min}, got ${value}`);
  }
  if (config.minSessionTimeoutMs > config.maxSessionTimeoutMs) {
    throw new RangeError(`minSessionTimeoutMs (${config.minSessionTimeoutMs}) is above maxSessionTimeoutMs (${config.maxSessionTimeoutMs})`);
  }
  if (config.sessionTimeoutMs < config.minSessionTimeoutMs || config.sessionTimeoutMs > config.maxSessionTimeoutMs) {
    throw new RangeError(
      `sessionTimeoutMs (${config.sessionTimeoutMs}) must be within [${config.minSessionTimeoutMs}, ${config.maxSessionTimeoutMs}]`,
    );
  }
  return config;
}

/**
 * The coordinator settings the broker configuration holds.
 *
 * @example
 * ```ts
 * const coordinator = createGroupCoordinator({ clock, offsetsLog, topics, config: groupCoordinatorConfigFromBroker(brokerConfig) });
 * ```
 */
export function groupCoordinatorConfigFromBroker(broker: BrokerConfig): Partial<GroupCoordinatorConfig> {
  const min = broker.groupMinSessionTimeoutMs;
  const max = broker.groupMaxSessionTimeoutMs;
  return {
    // The consumer's default session timeout, kept within the bounds the broker allows.
    sessionTimeoutMs: Math.min(Math.max(defaultGroupCoordinatorConfig.sessionTimeoutMs, min), max),
    initialRebalanceDelayMs: broker.groupInitialRebalanceDelayMs,
    minSessionTimeoutMs: min,
    maxSessionTimeoutMs: max,
    offsetsRetentionMs: broker.offsetsRetentionMinutes * 60_000,
    offsetsRetentionCheckIntervalMs: broker.offsetsRetentionCheckIntervalMs,
    offsetsTopicPartitions: broker.offsetsTopicNumPartitions,
    maxGroupSize: broker.groupMaxSize,
  };
}
