/**
 * The implementation behind {@link openPartitionLog}: one class holding the segment list and the
 * offsets, with appends, rolls, truncation and retention serialized on a queue and reads lock-free.
 * Import the public API from `partition-log.ts`.
 *
 * @example
 * ```ts
 * // Made by openPartitionLog(); not constructed directly.
 * const log = await openPartitionLog({ fs, clock, dir, topic: "t", partition: 0, config });
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { FileSystem } from "../ports/file-system.ts";
import { AppendGroups, fitsRun, type Placement, type QueuedAppend } from "./append-group.ts";
import { placeBatches, validateAppend } from "./append-validation.ts";
import type { LeaderEpochCache } from "./leader-epoch-cache.ts";
import type { LogConfig } from "./log-config.ts";
import { type CompactionResult, type CompactOptions, LogCleaner } from "./log-cleaner.ts";
import type { LoadedLog, LogLogger } from "./log-recovery.ts";
import { logUnavailable, offsetOutOfRange } from "./log-errors.ts";
import { removeLogDirectory, syncDirectory } from "./partition-dir-name.ts";
import type { AppendInfo, AppendOptions, PartitionLog, ReadInfo, ReadOptions, WaitTarget } from "./partition-log.ts";
import { type RetentionInput, segmentsToDelete } from "./retention.ts";
import { LogSegment } from "./segment.ts";
import { cutSegments, destroySegments, floorSegment, readSegments, searchSegments } from "./segment-list.ts";
import { SerialQueue } from "./serial-queue.ts";
import { storageError } from "./storage-error.ts";
import { AppendNotifier } from "./wait-for-append.ts";

const DEFAULT_MAX_BYTES = 1024 * 1024;
const INT32_MAX = 0x7fff_ffff;
const noop = (): void => {};

/** What {@link PartitionLogImpl} is built from. */
export interface PartitionLogParts {
  fs: FileSystem;
  clock: Clock;
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  logger: LogLogger;
  loaded: LoadedLog;
  epochs: LeaderEpochCache;
  onCheckpointNeeded: () => Promise<void>;
  /** The partition's entry of `cleaner-offset-checkpoint`, if any. */
  cleanerCheckpoint?: number;
}

/**
 * A partition log over a list of segments.
 *
 * @example
 * ```ts
 * const log: PartitionLog = new PartitionLogImpl(parts); // openPartitionLog() does this
 * ```
 */
export class PartitionLogImpl implements PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly leaderEpochCache: LeaderEpochCache;
  lastFlushTime: number;

  /** `<topic>-<partition>`, for messages. */
  private readonly name: string;
  private readonly fs: FileSystem;
  private readonly clock: Clock;
  private readonly logger: LogLogger;
  private readonly onCheckpointNeeded: () => Promise<void>;
  private currentConfig: LogConfig;
  /** Oldest first, the active segment last; replaced (never mutated) when it changes. */
  private segments: LogSegment[];
  private startOffset: number;
  private endOffset: number;
  private hw: number;
  private hwFollowsEnd = true;
  private synced: number;
  private readonly writes = new SerialQueue();
  private readonly groups = new AppendGroups(this.writes, {
    now: () => this.clock.now(),
    logEndOffset: () => this.endOffset,
    checkWritable: () => this.checkWritable(),
    place: (member, logEndOffset, now) => this.place(member, logEndOffset, now),
    rollFor: async (member, { first, last, maxTimestamp }, now) => {
      const size = member.bytes.length;
      if (this.mayRoll(size, maxTimestamp, last, now)) await this.maybeRoll(size, maxTimestamp, first, last, now);
    },
    fits: (run, member, placement, now) => fitsRun(this.active, this.currentConfig, run, member.bytes.length, placement, now),
    commit: (run, now) => this.commit(run, now),
  });
  private readonly flushes = new SerialQueue();
  private readonly notifier: AppendNotifier;
  private state: "open" | "closing" | "closed" | "deleted" = "open";
  private failure: EdgelogError | undefined;
  private truncations = 0;
  private readonly cleaner: LogCleaner;

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
    this.notifier = new AppendNotifier(parts.clock);
    this.lastFlushTime = parts.clock.now();
    this.cleaner = new LogCleaner(
      {
        fs: this.fs,
        clock: this.clock,
        dir: this.dir,
        name: this.name,
        logger: this.logger,
        state: () => ({ config: this.currentConfig, segments: this.segments, logStartOffset: this.startOffset, logEndOffset: this.endOffset, highWatermark: this.hw }),
        exclusive: (task) =>
          this.exclusive(async () => {
            this.checkOpen();
            this.checkWritable();
            return task();
          }),
        setSegments: (segments) => {
          this.segments = segments;
        },
        onCheckpointNeeded: () => this.onCheckpointNeeded(),
      },
      parts.cleanerCheckpoint,
    );
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
  get firstDirtyOffset(): number {
    return this.cleaner.firstDirtyOffset;
  }
  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  updateConfig(config: LogConfig): void {
    this.currentConfig = config;
    this.active.updateConfig(config);
  }

  append(batches: Uint8Array, options: AppendOptions = {}): Promise<AppendInfo> {
    let member: QueuedAppend;
    try {
      this.checkOpen();
      const assign = options.assignOffsets ?? true;
      const leaderEpoch = options.leaderEpoch;
      if (leaderEpoch !== undefined && (!Number.isInteger(leaderEpoch) || leaderEpoch < 0 || leaderEpoch > INT32_MAX)) {
        throw new RangeError(`leaderEpoch must be an int32 ≥ 0, got ${leaderEpoch}`);
      }
      const config = this.currentConfig;
      const checked = validateAppend(batches, config, assign);
      const { recordCount, maxTimestamp } = checked;
      member = { bytes: batches, batches: checked.batches, recordCount, maxTimestamp, assign, leaderEpoch, config, resolve: noop, reject: noop };
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      member.resolve = resolve;
      member.reject = reject;
      this.groups.add(member);
    });
  }

  /** Gives a member its offsets from `logEndOffset` (placing again after a failed write is harmless). */
  private place(member: QueuedAppend, logEndOffset: number, now: number): Placement {
    if (member.batches.length === 0) return { first: logEndOffset, last: logEndOffset - 1, logAppendTime: -1, maxTimestamp: -1 };
    member.placement = placeBatches(member.batches, {
      assign: member.assign,
      logEndOffset,
      name: this.name,
      now,
      logAppendTime: member.assign && member.config.messageTimestampType === "LogAppendTime",
      leaderEpoch: member.leaderEpoch,
      maxTimestamp: member.maxTimestamp,
    });
    return member.placement;
  }

  /** Writes a run of placed appends to the active segment in one append, then settles each of them. */
  private async commit(run: QueuedAppend[], now: number): Promise<void> {
    const segment = this.active;
    try {
      try {
        await segment.append(run, run[0]!.placement!.maxTimestamp, now);
      } catch (error) {
        if (segment.broken) this.failure = storageError(`Log ${this.name} is offline after a failed write`, error);
        throw error;
      }
      this.endOffset = run[run.length - 1]!.placement!.last + 1;
      if (this.hwFollowsEnd) this.hw = this.endOffset;
      let epochs = false;
      for (const member of run) if (this.leaderEpochCache.assignFrom(member.batches)) epochs = true;
      if (epochs) await this.leaderEpochCache.persist();
      this.notifier.notify();
      if (this.endOffset - this.synced >= this.currentConfig.flushMessages) await this.flushNow();
    } catch (error) {
      for (const member of run) member.reject(error);
      return;
    }
    for (const { placement, recordCount, batches, resolve } of run) {
      resolve({ baseOffset: placement!.first, lastOffset: placement!.last, logAppendTime: placement!.logAppendTime, recordCount, batchCount: batches.length });
    }
  }

  /** Runs a task that changes the log alone on the write queue, after every append queued before it. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.groups.seal();
    return this.writes.run(task);
  }

  async read(offset: number, options: ReadOptions = {}): Promise<ReadInfo> {
    this.checkOpen();
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new EdgelogError("INVALID_FETCH_SIZE", `maxBytes must be a non-negative integer, got ${maxBytes}`);
    const start = this.startOffset;
    const end = this.endOffset;
    if (!Number.isSafeInteger(offset) || offset < start || offset > end) throw this.outOfRange(offset);
    const maxOffset = Math.min(options.maxOffset ?? this.hw, end);
    const info = { highWatermark: this.hw, logStartOffset: start, logEndOffset: end };
    const empty: ReadInfo = { bytes: new Uint8Array(0), firstOffset: offset, nextOffset: offset, ...info };
    if (offset >= maxOffset) return empty;
    const segments = this.segments;
    const found = await readSegments(segments, offset, maxBytes, maxOffset, options.minOneBatch ?? true);
    if (found === "deleted") {
      // A compaction swapped segments under the read: read again from the current list.
      if (this.segments !== segments) return this.read(offset, options);
      throw this.outOfRange(offset);
    }
    return found === null ? empty : { ...found, ...info };
  }

  async offsetForTimestamp(timestamp: number): Promise<{ offset: number; timestamp: number } | null> {
    this.checkOpen();
    if (typeof timestamp !== "number" || Number.isNaN(timestamp)) throw new TypeError(`Invalid timestamp ${timestamp}`);
    return searchSegments(this.segments, timestamp, this.startOffset, this.hw);
  }

  setHighWatermark(offset: number): void {
    if (typeof offset !== "number" || Number.isNaN(offset)) throw new TypeError(`Invalid high watermark ${offset}`);
    this.hwFollowsEnd = false;
    this.hw = Math.min(Math.max(Math.floor(offset), this.startOffset), this.endOffset);
    this.notifier.notify();
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    this.checkOpen();
    return this.exclusive(async () => {
      this.checkWritable();
      const target = offset === -1 ? this.hw : offset;
      if (!Number.isSafeInteger(target) || target < 0 || target > this.hw) {
        const why = `Cannot delete records of ${this.name} before ${offset}: the high watermark is ${this.hw}`;
        throw offsetOutOfRange(why, this.startOffset, this.endOffset, this.hw);
      }
      if (target <= this.startOffset) return this.startOffset;
      this.startOffset = target;
      const count = segmentsToDelete({ ...this.retentionInput(), deletePolicy: false });
      await this.deleteOldest(count);
      if (this.leaderEpochCache.truncateFromStart(this.startOffset)) await this.leaderEpochCache.persist();
      await this.onCheckpointNeeded();
      return this.startOffset;
    });
  }

  async truncateTo(offset: number): Promise<void> {
    this.checkOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Cannot truncate to offset ${offset}`);
    return this.exclusive(async () => {
      this.checkWritable();
      if (offset >= this.endOffset) return;
      this.truncations++;
      this.cleaner.truncated(offset);
      const now = this.clock.now();
      const before = this.segments;
      const { kept, dropped, fresh } = await cutSegments(before, offset, () => LogSegment.create(this.fs, this.dir, offset, this.currentConfig, now));
      this.segments = kept;
      await destroySegments(dropped);
      const active = this.active;
      if (!fresh) {
        await active.truncateTo(offset, now);
        active.updateConfig(this.currentConfig);
        // Made durable at once, so a crash cannot bring the dropped batches back.
        await active.sync();
      }
      this.endOffset = active.nextOffset;
      // As Kafka: the log start never stays above the truncation point (nor the new log end).
      this.startOffset = fresh ? offset : Math.min(this.startOffset, offset, this.endOffset);
      this.leaderEpochCache.truncateFromEnd(fresh ? Number.NEGATIVE_INFINITY : this.endOffset);
      this.synced = Math.min(this.synced, this.endOffset);
      this.hw = Math.min(this.hw, this.endOffset);
      await this.leaderEpochCache.persist();
      await this.syncDir();
      await this.onCheckpointNeeded();
    });
  }

  async applyRetention(): Promise<{ deletedSegments: number; deletedBytes: number }> {
    this.checkOpen();
    return this.exclusive(async () => {
      this.checkWritable();
      const config = this.currentConfig;
      const count = segmentsToDelete({ ...this.retentionInput(), deletePolicy: config.cleanupPolicy.includes("delete") });
      if (count === 0) return { deletedSegments: 0, deletedBytes: 0 };
      const deletedBytes = await this.deleteOldest(count);
      if (this.leaderEpochCache.truncateFromStart(this.startOffset)) await this.leaderEpochCache.persist();
      this.logger("info", `Deleted ${count} segment(s) (${deletedBytes} bytes) of ${this.name} by retention; log start offset ${this.startOffset}`);
      await this.onCheckpointNeeded();
      return { deletedSegments: count, deletedBytes };
    });
  }

  async compact(options: CompactOptions = {}): Promise<CompactionResult> {
    this.checkOpen();
    return this.cleaner.compact(options);
  }

  async roll(): Promise<void> {
    this.checkOpen();
    return this.exclusive(async () => {
      this.checkWritable();
      await this.rollTo(this.endOffset, this.clock.now());
    });
  }

  async flush(): Promise<void> {
    this.checkOpen();
    return this.flushNow();
  }

  private flushNow(): Promise<void> {
    return this.flushes.run(async () => {
      const target = this.endOffset;
      const generation = this.truncations;
      await this.syncSegmentsFrom(this.synced);
      if (generation === this.truncations) this.synced = Math.max(this.synced, Math.min(target, this.endOffset));
      this.lastFlushTime = this.clock.now();
    });
  }

  waitForAppend(offset: number, timeoutMs: number, signal?: AbortSignal, until: WaitTarget = "highWatermark"): Promise<boolean> {
    if (this.state !== "open") return Promise.resolve(false);
    const end = until === "logEnd" ? () => this.endOffset : () => this.hw;
    return this.notifier.wait(end, offset, timeoutMs, signal);
  }

  async close(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "closing";
    await this.writes.drain();
    await this.flushes.drain();
    this.notifier.closeAll();
    try {
      for (const segment of this.segments) await segment.close();
      this.synced = this.endOffset;
    } finally {
      this.state = "closed";
    }
  }

  async delete(): Promise<void> {
    if (this.state === "deleted") return;
    const wasOpen = this.state === "open";
    this.state = "closing";
    if (wasOpen) {
      await this.writes.drain();
      await this.flushes.drain();
    }
    this.notifier.closeAll();
    await Promise.all(this.segments.map((s) => s.abandon()));
    this.state = "deleted";
    await removeLogDirectory(this.fs, this.dir, this.clock.now());
  }

  /**
   * False when the active segment surely keeps this append, decided without I/O or an await (the
   * append path runs this per request); true when {@link maybeRoll} must decide.
   */
  private mayRoll(size: number, maxTimestamp: number, last: number, now: number): boolean {
    const segment = this.active;
    const config = this.currentConfig;
    if (segment.size === 0 || segment.size + size > config.segmentBytes) return true;
    if (segment.offsetIndex.isFull || segment.timeIndex.isFull || !segment.canHold(last)) return true;
    const waited = segment.knownTimeWaitedForRoll(now, maxTimestamp);
    return waited === undefined || waited > config.segmentMs;
  }

  /** Kafka's shouldRoll: segment.bytes, segment.ms, a full index, or offsets past int32 from the base. */
  private async maybeRoll(size: number, maxTimestamp: number, first: number, last: number, now: number): Promise<void> {
    const segment = this.active;
    const config = this.currentConfig;
    const bySize = segment.size > 0 && segment.size + size > config.segmentBytes;
    const byTime = segment.size > 0 && (await segment.timeWaitedForRoll(now, maxTimestamp)) > config.segmentMs;
    const full = segment.offsetIndex.isFull || segment.timeIndex.isFull;
    if (bySize || byTime || full || !segment.canHold(last)) await this.rollTo(first, now);
  }

  /** Seals the active segment and starts one at `base` (an empty active segment is just replaced). */
  private async rollTo(base: number, now: number): Promise<void> {
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
  private async syncSegmentsFrom(offset: number): Promise<void> {
    const segments = this.segments;
    for (let i = floorSegment(segments, offset); i < segments.length; i++) {
      const segment = segments[i]!;
      if (!segment.deleted) await segment.sync();
    }
  }

  private retentionInput(): Omit<RetentionInput, "deletePolicy"> {
    const { retentionMs, retentionBytes } = this.currentConfig;
    const segments = this.segments.map((s) => ({ baseOffset: s.baseOffset, sizeInBytes: s.size, largestTimestamp: s.largestTimestamp }));
    return { segments, now: this.clock.now(), highWatermark: this.hw, logStartOffset: this.startOffset, retentionMs, retentionBytes };
  }

  /** Removes the `count` oldest segments and moves the log start past them; returns their bytes. */
  private async deleteOldest(count: number): Promise<number> {
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

  private syncDir(): Promise<void> {
    return syncDirectory(this.fs, this.dir);
  }

  private outOfRange(offset: number): EdgelogError {
    const range = `[${this.startOffset}, ${this.endOffset}]`;
    return offsetOutOfRange(`Offset ${offset} of ${this.name} is outside ${range}`, this.startOffset, this.endOffset, this.hw);
  }

  private checkOpen(): void {
    if (this.state !== "open") throw logUnavailable(this.name, this.state === "deleted");
  }

  private checkWritable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.state === "deleted") throw logUnavailable(this.name, true);
  }
}
