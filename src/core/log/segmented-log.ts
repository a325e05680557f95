/**
 * The segments and offsets of a partition log, and what keeps them on disk: rolling the active
 * segment (Kafka's shouldRoll), flushing, dropping the oldest segments. {@link PartitionLogImpl}
 * (`partition-log-impl.ts`) builds the log's operations on it. Import the public API from
 * `partition-log.ts`.
 *
 * @example
 * ```ts
 * // The base of PartitionLogImpl; not constructed directly.
 * const log = await openPartitionLog({ fs, clock, dir, topic: "t", partition: 0, config });
 * ```
 * @module
 */
import type { EdgelogError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { FileSystem } from "../ports/file-system.ts";
import type { OpenPartitionLogOptions } from "./partition-log.ts";
import type { LeaderEpochCache } from "./leader-epoch-cache.ts";
import type { LogConfig } from "./log-config.ts";
import type { LoadedLog, LogLogger } from "./log-recovery.ts";
import { offsetOutOfRange } from "./log-errors.ts";
import { syncDirectory } from "./partition-dir-name.ts";
import type { RetentionInput } from "./retention.ts";
import { LogSegment } from "./segment.ts";
import { destroySegments, floorSegment } from "./segment-list.ts";
import { SerialQueue } from "./serial-queue.ts";

/**
 * What a {@link SegmentedLog} ({@link PartitionLogImpl}) is built from.
 *
 * @example
 * ```ts
 * new PartitionLogImpl({ fs, clock, dir, topic, partition, config, logger, loaded, epochs, onCheckpointNeeded }); // openPartitionLog() does this
 * ```
 */
export interface PartitionLogParts
  extends Pick<OpenPartitionLogOptions, "fs" | "clock" | "dir" | "topic" | "partition" | "config" | "cleanerCheckpoint"> {
  logger: LogLogger;
  loaded: LoadedLog;
  epochs: LeaderEpochCache;
  onCheckpointNeeded: () => Promise<void>;
}

/**
 * A partition's list of segments with its offsets (log start, log end, high watermark, recovery
 * point), and the segment work that appends and the log's other operations share: rolls, flushes,
 * syncs, and the deletion of the oldest segments. Its state is read and changed by
 * {@link PartitionLogImpl}, which adds the operations of a `PartitionLog`.
 *
 * @example
 * ```ts
 * class Log extends SegmentedLog {} // as PartitionLogImpl does
 * const log = new Log(parts);
 * log.logEndOffset; // from parts.loaded
 * ```
 */
export abstract class SegmentedLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly leaderEpochCache: LeaderEpochCache;
  lastFlushTime: number;

  /** `<topic>-<partition>`, for messages. */
  protected readonly name: string;
  protected readonly fs: FileSystem;
  protected readonly clock: Clock;
  protected readonly logger: LogLogger;
  protected readonly onCheckpointNeeded: () => Promise<void>;
  protected currentConfig: LogConfig;
  /** Oldest first, the active segment last; replaced (never mutated) when it changes. */
  protected segments: LogSegment[];
  protected startOffset: number;
  protected endOffset: number;
  protected hw: number;
  protected synced: number;
  protected readonly flushes = new SerialQueue();
  protected truncations = 0;

  constructor(parts: PartitionLogParts) {
    this.fs = parts.fs;
    this.clock = parts.clock;
    this.dir = parts.dir;
    this.topic = parts.topic;
    this.partition = parts.partition;
    this.name = `${parts.topic}-${parts.partition}`;
    this.currentConfig = parts.config;
    this.logger = parts.logger;
    this.onCheckpointNeeded = parts.onCheckpointNeeded;
    this.leaderEpochCache = parts.epochs;
    this.segments = parts.loaded.segments;
    this.startOffset = parts.loaded.logStartOffset;
    this.endOffset = parts.loaded.logEndOffset;
    this.hw = this.endOffset;
    this.synced = parts.loaded.recoveryPoint;
    this.lastFlushTime = parts.clock.now();
  }

  get logStartOffset(): number {
    return this.startOffset;
  }
  get logEndOffset(): number {
    return this.endOffset;
  }
  get highWatermark(): number {
    return this.hw;
  }
  get recoveryPoint(): number {
    return this.synced;
  }
  get config(): LogConfig {
    return this.currentConfig;
  }
  get sizeInBytes(): number {
    let size = 0;
    for (const s of this.segments) size += s.size;
    return size;
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  protected get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  updateConfig(config: LogConfig): void {
    this.currentConfig = config;
    this.active.updateConfig(config);
  }

  protected flushNow(): Promise<void> {
    return this.flushes.run(async () => {
      const target = this.endOffset;
      const generation = this.truncations;
      await this.syncSegmentsFrom(this.synced);
      if (generation === this.truncations) this.synced = Math.max(this.synced, Math.min(target, this.endOffset));
      this.lastFlushTime = this.clock.now();
    });
  }

  /**
   * False when the active segment surely keeps this append, decided without I/O or an await (the
   * append path runs this per request); true when {@link maybeRoll} must decide.
   */
  protected mayRoll(size: number, maxTimestamp: number, last: number, now: number): boolean {
    const segment = this.active;
    const config = this.currentConfig;
    if (segment.size === 0 || segment.size + size > config.segmentBytes) return true;
    if (segment.offsetIndex.isFull || segment.timeIndex.isFull || !segment.canHold(last)) return true;
    const waited = segment.knownTimeWaitedForRoll(now, maxTimestamp);
    return waited === undefined || waited > config.segmentMs;
  }

  /** Kafka's shouldRoll: segment.bytes, segment.ms, a full index, or offsets past int32 from the base. */
  protected async maybeRoll(size: number, maxTimestamp: number, first: number, last: number, now: number): Promise<void> {
    const segment = this.active;
    const config = this.currentConfig;
    const bySize = segment.size > 0 && segment.size + size > config.segmentBytes;
    const byTime = segment.size > 0 && (await segment.timeWaitedForRoll(now, maxTimestamp)) > config.segmentMs;
    const full = segment.offsetIndex.isFull || segment.timeIndex.isFull;
    if (bySize || byTime || full || !segment.canHold(last)) await this.rollTo(first, now);
  }

  /** Seals the active segment and starts one at `base` (an empty active segment is just replaced). */
  protected async rollTo(base: number, now: number): Promise<void> {
    const old = this.active;
    if (old.size === 0 && old.baseOffset === base) return;
    const fresh = await LogSegment.create(this.fs, this.dir, base, this.currentConfig, now);
    if (old.size === 0) {
      this.segments = [...this.segments.slice(0, -1), fresh];
      old.deleted = true;
      await old.destroy();
    } else {
      try {
        // Kafka syncs a segment when it stops being active; older unsynced data goes with it.
        await old.seal();
        await this.syncSegmentsFrom(this.synced);
      } catch (error) {
        fresh.deleted = true;
        await fresh.destroy().catch(() => undefined);
        throw error;
      }
      this.segments = [...this.segments, fresh];
      this.synced = Math.max(this.synced, Math.min(base, this.endOffset));
      this.lastFlushTime = now;
    }
    await this.syncDir();
  }

  /** Syncs every segment that may hold offsets at or after `offset`. */
  protected async syncSegmentsFrom(offset: number): Promise<void> {
    const segments = this.segments;
    for (let i = floorSegment(segments, offset); i < segments.length; i++) {
      const segment = segments[i]!;
      if (!segment.deleted) await segment.sync();
    }
  }

  protected retentionInput(): Omit<RetentionInput, "deletePolicy"> {
    const { retentionMs, retentionBytes } = this.currentConfig;
    const segments = this.segments.map((s) => ({ baseOffset: s.baseOffset, sizeInBytes: s.size, largestTimestamp: s.largestTimestamp }));
    return { segments, now: this.clock.now(), highWatermark: this.hw, logStartOffset: this.startOffset, retentionMs, retentionBytes };
  }

  /** Removes the `count` oldest segments and moves the log start past them; returns their bytes. */
  protected async deleteOldest(count: number): Promise<number> {
    if (count <= 0) return 0;
    const gone = this.segments.slice(0, count);
    this.segments = this.segments.slice(count);
    this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
    this.hw = Math.max(this.hw, this.startOffset);
    let bytes = 0;
    for (const s of gone) bytes += s.size;
    await destroySegments(gone);
    await this.syncDir();
    return bytes;
  }

  protected syncDir(): Promise<void> {
    return syncDirectory(this.fs, this.dir);
  }

  protected outOfRange(offset: number): EdgelogError {
    const range = `[${this.startOffset}, ${this.endOffset}]`;
    return offsetOutOfRange(`Offset ${offset} of ${this.name} is outside ${range}`, this.startOffset, this.endOffset, this.hw);
  }
}
