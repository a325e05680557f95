/**
 * The implementation behind {@link openPartitionLog}: the operations of a partition log over a
 * {@link SegmentedLog} (the segment list and the offsets, rolls and flushes, in `segmented-log.ts`),
 * with appends, rolls, truncation and retention serialized on a queue and reads lock-free.
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
import { AppendGroups, fitsRun, type Placement, type QueuedAppend } from "./append-group.ts";
import { placeBatches, validateAppend } from "./append-validation.ts";
import { type CompactionResult, type CompactOptions, LogCleaner } from "./log-cleaner.ts";
import { logUnavailable, offsetOutOfRange } from "./log-errors.ts";
import { removeLogDirectory } from "./partition-dir-name.ts";
import type { AppendInfo, AppendOptions, PartitionLog, ReadInfo, ReadOptions, WaitTarget } from "./partition-log.ts";
import { segmentsToDelete } from "./retention.ts";
import { LogSegment } from "./segment.ts";
import { cutSegments, destroySegments, readSegments, searchSegments } from "./segment-list.ts";
import { type PartitionLogParts, SegmentedLog } from "./segmented-log.ts";
import { SerialQueue } from "./serial-queue.ts";
import { storageError } from "./storage-error.ts";
import { AppendNotifier } from "./wait-for-append.ts";

export type { PartitionLogParts } from "./segmented-log.ts";

const DEFAULT_MAX_BYTES = 1024 * 1024;
const INT32_MAX = 0x7fff_ffff;
const noop = (): void => {};

/**
 * A partition log over a list of segments.
 *
 * @example
 * ```ts
 * const log: PartitionLog = new PartitionLogImpl(parts); // openPartitionLog() does this
 * ```
 */
export class PartitionLogImpl extends SegmentedLog implements PartitionLog {
  private hwFollowsEnd = true;
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
  private readonly notifier: AppendNotifier;
  private state: "open" | "closing" | "closed" | "deleted" = "open";
  private failure: EdgelogError | undefined;
  private readonly cleaner: LogCleaner;

  constructor(parts: PartitionLogParts) {
    super(parts);
    this.notifier = new AppendNotifier(parts.clock);
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

  get firstDirtyOffset(): number {
    return this.cleaner.firstDirtyOffset;
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

  private checkOpen(): void {
    if (this.state !== "open") throw logUnavailable(this.name, this.state === "deleted");
  }

  private checkWritable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.state === "deleted") throw logUnavailable(this.name, true);
  }
}
