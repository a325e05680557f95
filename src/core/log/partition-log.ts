/**
 * The log of one partition, in Kafka's on-disk formats: segments of whole record batches with
 * sparse offset and time indexes, offsets assigned on append, reads of whole stored batches through
 * the offset index, recovery after an unclean stop, flushes, retention, DeleteRecords and truncation.
 *
 * Appends (and everything that changes the segment list) run one at a time; reads run alongside.
 * Appends that arrive during one turn of the event loop are written together, usually as one file
 * append (group commit, `append-group.ts`), each keeping its own offsets, result and errors.
 * The log end moves only after a write has completed, so a read never sees a partial batch.
 *
 * @example
 * ```ts
 * const log = await openPartitionLog({ fs, clock, dir: "data/orders-0", topic: "orders", partition: 0, config: defaultLogConfig });
 * const { baseOffset } = await log.append(encodeRecordBatchSync({ records: [{ value: utf8("hi") }] }));
 * const { bytes, nextOffset } = await log.read(baseOffset);
 * await log.close();
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { FileSystem } from "../ports/file-system.ts";
import { joinPath } from "../ports/file-system.ts";
import { LeaderEpochCache, LEADER_EPOCH_CHECKPOINT } from "./leader-epoch-cache.ts";
import type { LogConfig } from "./log-config.ts";
import type { CompactionResult, CompactOptions } from "./log-cleaner.ts";
import { loadLog, type LogLogger } from "./log-recovery.ts";
import { PartitionLogImpl } from "./partition-log-impl.ts";

/** Options of {@link PartitionLog.append}. */
export interface AppendOptions {
  /** Default true (a leader append). False: a replica append keeping the leader's offsets, which must be ≥ logEndOffset. */
  assignOffsets?: boolean;
  /** Stamps `partitionLeaderEpoch` on each batch when given. */
  leaderEpoch?: number;
}

/** What an append stored. */
export interface AppendInfo {
  baseOffset: number;
  lastOffset: number;
  /** The broker time stamped with LogAppendTime; -1 with CreateTime. */
  logAppendTime: number;
  recordCount: number;
  batchCount: number;
}

/** Options of {@link PartitionLog.read}. */
export interface ReadOptions {
  /** Default 1 MiB. */
  maxBytes?: number;
  /** Exclusive; only batches whose last offset is below it are returned. Default: the high watermark. */
  maxOffset?: number;
  /** Default true: return the first batch even when it is larger than maxBytes. */
  minOneBatch?: boolean;
}

/** What a read returned. */
export interface ReadInfo {
  /** Whole stored batches, concatenated, byte-identical to the segment. */
  bytes: Uint8Array;
  /** Base offset of the first batch returned, or the requested offset when none. */
  firstOffset: number;
  /** Offset after the last returned batch, or the requested offset when none. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

/** What {@link PartitionLog.waitForAppend} waits on: the fetchable end (default) or the log end. */
export type WaitTarget = "highWatermark" | "logEnd";

/**
 * One partition's log.
 *
 * @example
 * ```ts
 * await log.append(batch);
 * if (await log.waitForAppend(next - 1, 500)) console.log((await log.read(next)).bytes.length);
 * ```
 */
export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /**
   * Follows the log end until {@link setHighWatermark} is first called (single node); from then on
   * only setHighWatermark moves it (replication).
   */
  readonly highWatermark: number;
  /** Offset below which every batch has been synced to disk. */
  readonly recoveryPoint: number;
  /** The cleaner checkpoint: where the not yet compacted part of the log starts (`cleaner-offset-checkpoint`). */
  readonly firstDirtyOffset: number;
  readonly config: LogConfig;
  updateConfig(config: LogConfig): void;
  /** Bytes of every segment. */
  readonly sizeInBytes: number;
  readonly segmentCount: number;
  /** Clock time of the last flush (or of opening). */
  readonly lastFlushTime: number;
  /** The leader epoch start offsets of this partition (`leader-epoch-checkpoint`). */
  readonly leaderEpochCache: LeaderEpochCache;
  append(batches: Uint8Array, options?: AppendOptions): Promise<AppendInfo>;
  read(offset: number, options?: ReadOptions): Promise<ReadInfo>;
  /** The first record whose timestamp is ≥ `timestamp` (below the high watermark), via the time index; null when none. */
  offsetForTimestamp(timestamp: number): Promise<{ offset: number; timestamp: number } | null>;
  /** Clamps to [logStartOffset, logEndOffset]; from the first call on the log stops moving it by itself. */
  setHighWatermark(offset: number): void;
  /** Kafka's DeleteRecords: moves the log start (-1 means the high watermark); OFFSET_OUT_OF_RANGE past the high watermark. */
  deleteRecordsBefore(offset: number): Promise<number>;
  /** Drops everything at and after `offset` (replication), at the boundary of the batch holding it. */
  truncateTo(offset: number): Promise<void>;
  /** retention.ms / retention.bytes on closed segments (with cleanup.policy delete), and segments below the log start. */
  applyRetention(): Promise<{ deletedSegments: number; deletedBytes: number }>;
  /**
   * Log compaction (cleanup.policy compact): keeps the latest record of each key in the closed
   * segments, when the dirty ratio reaches min.cleanable.dirty.ratio or with `force`. Resolves with
   * zeros for a log whose cleanup.policy does not include "compact". See `log-cleaner.ts`.
   */
  compact(options?: CompactOptions): Promise<CompactionResult>;
  /** Closes the active segment (when it holds data) and starts a new one at the log end. */
  roll(): Promise<void>;
  /** Syncs every dirty segment and moves the recovery point to the log end seen at the start. */
  flush(): Promise<void>;
  /**
   * Resolves true once the high watermark (or, with `until: "logEnd"`, the log end) is > `offset`;
   * false on timeout, abort or close.
   */
  waitForAppend(offset: number, timeoutMs: number, signal?: AbortSignal, until?: WaitTarget): Promise<boolean>;
  /** Flushes and closes every file; later calls reject. */
  close(): Promise<void>;
  /** Closes without flushing and removes the partition directory (renamed to `<dir>.<id>-delete` first). */
  delete(): Promise<void>;
}

/** Options of {@link openPartitionLog}. */
export interface OpenPartitionLogOptions {
  fs: FileSystem;
  clock: Clock;
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  /** From the recovery point checkpoint; default 0 (recover everything after an unclean stop). */
  recoveryPoint?: number;
  /** From the log start offset checkpoint; default the first segment's base offset. */
  logStartOffset?: number;
  /** Default false: segments from the recovery point on are re-validated. */
  cleanShutdown?: boolean;
  logger?: LogLogger;
  /**
   * Called (and awaited) after the log start offset moved or a truncation lowered the recovery point,
   * so the owner can write its checkpoints before acknowledging.
   */
  onCheckpointNeeded?: () => Promise<void>;
  /** From the cleaner offset checkpoint: where compaction left off; default the log start offset. */
  cleanerCheckpoint?: number;
}

/**
 * Opens (creating when missing) the log of one partition in `dir`, recovering it if needed.
 *
 * @example
 * ```ts
 * const log = await openPartitionLog({
 *   fs: memoryFileSystem(), clock: manualClock(), dir: "data/t-0", topic: "t", partition: 0,
 *   config: { ...defaultLogConfig, segmentBytes: 1 << 20 },
 * });
 * ```
 */
export async function openPartitionLog(options: OpenPartitionLogOptions): Promise<PartitionLog> {
  const { fs, clock, dir, config } = options;
  if (typeof dir !== "string" || dir === "") throw new TypeError("openPartitionLog() needs a directory");
  if (!Number.isSafeInteger(options.partition) || options.partition < 0) throw new RangeError(`Invalid partition ${options.partition}`);
  const logger = options.logger ?? (() => {});
  const loaded = await loadLog({
    fs,
    dir,
    config,
    now: clock.now(),
    recoveryPoint: options.recoveryPoint ?? 0,
    cleanShutdown: options.cleanShutdown ?? false,
    logger,
    ...(options.logStartOffset === undefined ? {} : { logStartOffset: options.logStartOffset }),
  });
  let epochs: LeaderEpochCache;
  try {
    epochs = await LeaderEpochCache.load(fs, joinPath(dir, LEADER_EPOCH_CHECKPOINT), (m) => logger("warn", m));
    const cut = epochs.truncateFromEnd(loaded.logEndOffset);
    if (epochs.truncateFromStart(loaded.logStartOffset) || cut) await epochs.persist();
  } catch (cause) {
    await Promise.all(loaded.segments.map((s) => s.abandon()));
    throw cause instanceof EdgelogError ? cause : new EdgelogError("KAFKA_STORAGE_ERROR", `Cannot open ${dir}`, { cause });
  }
  return new PartitionLogImpl({
    fs,
    clock,
    dir,
    topic: options.topic,
    partition: options.partition,
    config,
    logger,
    loaded,
    epochs,
    onCheckpointNeeded: options.onCheckpointNeeded ?? (async () => {}),
    ...(options.cleanerCheckpoint === undefined ? {} : { cleanerCheckpoint: options.cleanerCheckpoint }),
  });
}
