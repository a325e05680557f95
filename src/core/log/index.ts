/**
 * The partition log and the log manager, in Kafka's on-disk formats. This barrel is the folder's
 * public API; the other files are its parts.
 *
 * @example
 * ```ts
 * import { openLogManager, defaultLogConfig } from "./core/log/index.ts";
 * const manager = await openLogManager({ fs, clock, logDirs: ["data"], defaults: defaultLogConfig });
 * ```
 * @module
 */
export { type CleanupPolicy, defaultLogConfig, type LogConfig } from "./log-config.ts";
export {
  type AppendInfo,
  type AppendOptions,
  type OpenPartitionLogOptions,
  openPartitionLog,
  type PartitionLog,
  type ReadInfo,
  type ReadOptions,
  type WaitTarget,
} from "./partition-log.ts";
export { CLEAN_SHUTDOWN_FILE, type LogManager, openLogManager, type OpenLogManagerOptions } from "./log-manager.ts";
export { type EpochEntry, LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from "./leader-epoch-cache.ts";
export {
  LOG_START_OFFSET_CHECKPOINT,
  readOffsetCheckpoint,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  topicPartitionKey,
  type TopicPartitionOffset,
  writeOffsetCheckpoint,
} from "./checkpoint-file.ts";
export type { LogLogger } from "./log-recovery.ts";
export { parsePartitionDirName, partitionDirName } from "./partition-dir-name.ts";
