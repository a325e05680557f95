/**
 * The settings one partition log runs with: Kafka's topic-level config keys, resolved against the
 * broker's defaults, in camelCase. `src/core/topic/topic-config.ts` maps the Kafka names onto these.
 *
 * @example
 * ```ts
 * const config: LogConfig = { ...defaultLogConfig, segmentBytes: 1 << 20, retentionMs: 60_000 };
 * ```
 * @module
 */

/** One value of `cleanup.policy`. */
export type CleanupPolicy = "delete" | "compact";

/** The resolved settings of one partition log. */
export interface LogConfig {
  /** `segment.bytes`: roll the active segment when it would grow past this. */
  segmentBytes: number;
  /** `segment.ms`: roll the active segment once its first record is this old. */
  segmentMs: number;
  /** `segment.index.bytes`: the largest offset index; a full index rolls the segment. */
  segmentIndexBytes: number;
  /** `index.interval.bytes`: bytes of log between two offset index entries. */
  indexIntervalBytes: number;
  /** `retention.ms`: delete closed segments whose newest record is older; -1 keeps forever. */
  retentionMs: number;
  /** `retention.bytes`: delete the oldest closed segments while the partition is larger; -1 no limit. */
  retentionBytes: number;
  /** `cleanup.policy`: delete, compact, or both. */
  cleanupPolicy: CleanupPolicy[];
  /** `delete.retention.ms`: how long tombstones survive compaction. */
  deleteRetentionMs: number;
  /** `min.compaction.lag.ms`: records younger than this are not compacted. */
  minCompactionLagMs: number;
  /** `min.cleanable.dirty.ratio`: compact once this share of the log is uncompacted. */
  minCleanableDirtyRatio: number;
  /** `max.message.bytes`: the largest record batch accepted. */
  maxMessageBytes: number;
  /** `message.timestamp.type`: keep the producer's time or stamp the broker's. */
  messageTimestampType: "CreateTime" | "LogAppendTime";
  /** `flush.messages`: sync after this many records; Number.MAX_SAFE_INTEGER leaves it to the OS. */
  flushMessages: number;
  /** `flush.ms`: sync when the oldest unsynced record is this old; Number.MAX_SAFE_INTEGER leaves it to the OS. */
  flushMs: number;
  /** `min.insync.replicas`: with acks=all, the fewest in-sync replicas that may acknowledge. */
  minInsyncReplicas: number;
  /** `file.delete.delay.ms`: how long deleted segment files linger (edgelog deletes at once: readers hold no mmaps). */
  fileDeleteDelayMs: number;
  /** `unclean.leader.election.enable`. */
  uncleanLeaderElectionEnable: boolean;
}

/**
 * Kafka's defaults for every topic-level setting.
 *
 * @example
 * ```ts
 * defaultLogConfig.segmentBytes; // 1073741824
 * ```
 */
export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: ["delete"] as CleanupPolicy[],
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  maxMessageBytes: 1048588,
  messageTimestampType: "CreateTime" as const,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  minInsyncReplicas: 1,
  fileDeleteDelayMs: 60_000,
  uncleanLeaderElectionEnable: false,
});
