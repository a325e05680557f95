/**
 * The settings of replication, with Kafka's broker keys mapped to camelCase and Kafka's defaults.
 *
 * @example
 * ```ts
 * const config = replicationConfig({ replicaLagTimeMaxMs: brokerConfig["replica.lag.time.max.ms"] });
 * ```
 * @module
 */

/**
 * Replication settings of a broker.
 *
 * @example
 * ```ts
 * const c: ReplicationConfig = { ...defaultReplicationConfig, replicaFetchWaitMaxMs: 100 };
 * ```
 */
export interface ReplicationConfig {
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR. */
  replicaLagTimeMaxMs: number;
  /** replica.fetch.wait.max.ms: how long a leader holds a follower's fetch that has nothing new. */
  replicaFetchWaitMaxMs: number;
  /** replica.fetch.max.bytes: bytes asked for per partition (at least one batch is always sent). */
  replicaFetchMaxBytes: number;
  /** replica.fetch.backoff.ms: pause of a follower after a failed fetch. */
  replicaFetchBackoffMs: number;
  /**
   * edgelog.replica.fetch.leader.backoff.ms: the first pause of a follower whose new leader has not
   * yet taken up its leadership (NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH); it doubles with
   * each repeat, up to replica.fetch.backoff.ms.
   */
  replicaFetchLeaderBackoffMs: number;
}

/**
 * Kafka's defaults.
 *
 * @example
 * ```ts
 * defaultReplicationConfig.replicaLagTimeMaxMs; // 30000
 * ```
 */
export const defaultReplicationConfig: Readonly<ReplicationConfig> = Object.freeze({
  replicaLagTimeMaxMs: 30_000,
  replicaFetchWaitMaxMs: 500,
  replicaFetchMaxBytes: 1024 * 1024,
  replicaFetchBackoffMs: 1_000,
  replicaFetchLeaderBackoffMs: 50,
});

/**
 * The defaults with `overrides` applied; RangeError on a value that is not a positive integer
 * (a zero wait or backoff is allowed).
 *
 * @example
 * ```ts
 * replicationConfig({ replicaLagTimeMaxMs: 10_000 }).replicaFetchBackoffMs; // 1000
 * ```
 */
export function replicationConfig(overrides: Partial<ReplicationConfig> = {}): ReplicationConfig {
  const config = { ...defaultReplicationConfig, ...overrides };
  const check = (name: keyof ReplicationConfig, min: number): void => {
    const value = config[name];
    if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  };
  check("replicaLagTimeMaxMs", 1);
  check("replicaFetchWaitMaxMs", 0);
  check("replicaFetchMaxBytes", 1);
  check("replicaFetchBackoffMs", 0);
  check("replicaFetchLeaderBackoffMs", 0);
  return config;
}

/**
 * Where replication writes its log lines (leadership and ISR changes, truncations, fetch failures).
 *
 * @example
 * ```ts
 * const logger: ReplicationLogger = (level, message) => console.log(`[${level}] ${message}`);
 * ```
 */
export type ReplicationLogger = (level: "debug" | "info" | "warn" | "error", message: string) => void;
