/**
 * Log compaction (`cleanup.policy=compact`), as Kafka's LogCleaner does it for one partition:
 *
 * 1. Plan ({@link planCleaning}): the dirty part runs from the cleaner checkpoint to the first
 *    uncleanable segment (the active segment, the high watermark, `min.compaction.lag.ms`);
 *    compaction runs when the dirty share of the cleanable bytes reaches `min.cleanable.dirty.ratio`
 *    (or when forced).
 * 2. Build an {@link OffsetMap} of key → latest offset over the dirty part.
 * 3. Recopy the cleanable segments, in groups of at most `segment.bytes`, into `.cleaned` segments,
 *    batch by batch ({@link filterBatch}): a record stays when it is the latest of its key; a
 *    tombstone also goes once its delete horizon (KIP-534) has passed; records without a key stay.
 *    Records keep their offsets, batches their base offsets; a batch whose records all stay is
 *    copied byte for byte.
 * 4. Swap each group in under the log's write lock (`segment-swap.ts`), then move the checkpoint.
 *
 * Reads and appends go on during steps 2 and 3; the active segment is never touched.
 *
 * @example
 * ```ts
 * const cleaner = new LogCleaner(host, checkpointFromFile);
 * const { cleanedSegments, removedRecords } = await cleaner.compact({ force: true });
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { FileSystem } from "../ports/file-system.ts";
import { BatchCursor } from "./batch-cursor.ts";
import { decodeStoredBatch, type FilterContext, filterBatch } from "./batch-filter.ts";
import { CleanedSegmentWriter } from "./cleaned-segment.ts";
import { planCleaning } from "./cleaning-plan.ts";
import type { LogConfig } from "./log-config.ts";
import type { LogLogger } from "./log-recovery.ts";
import { OffsetMap } from "./offset-map.ts";
import { LogSegment, MAX_RELATIVE_OFFSET } from "./segment.ts";
import { abandonSwap, commitSwap, finishSwap } from "./segment-swap.ts";
import { recoverSegment } from "./segment-recovery.ts";
import { SerialQueue } from "./serial-queue.ts";
import { storageError } from "./storage-error.ts";

/**
 * Options of {@link LogCleaner.compact}.
 *
 * @example
 * ```ts
 * await log.compact({ force: true, dedupeBufferBytes: 1 << 20 });
 * ```
 */
export interface CompactOptions {
  /** Compact whatever is cleanable, whatever the dirty ratio (tests, admin). */
  force?: boolean;
  /** Memory budget of the offset map (Kafka's `log.cleaner.dedupe.buffer.size`); default 32 MiB. */
  dedupeBufferBytes?: number;
}

/**
 * What a compaction did.
 *
 * @example
 * ```ts
 * const { cleanedSegments, removedRecords } = await log.compact();
 * ```
 */
export interface CompactionResult {
  /** Old segments replaced by compacted ones. */
  cleanedSegments: number;
  /** Records dropped. */
  removedRecords: number;
}

/** The log state the cleaner plans from, read at one moment. */
export interface CleanerLogState {
  config: LogConfig;
  /** Oldest first, the active segment last. */
  segments: readonly LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

/**
 * What the cleaner needs of the partition log it compacts.
 *
 * @example
 * ```ts
 * const host: CleanerHost = {
 *   fs, clock, dir, name: "t-0", logger,
 *   state: () => ({ config, segments, logStartOffset, logEndOffset, highWatermark }),
 *   exclusive: (task) => writes.run(task),
 *   setSegments: (next) => { segments = next; },
 *   onCheckpointNeeded: async () => {},
 * };
 * ```
 */
export interface CleanerHost {
  fs: FileSystem;
  clock: Clock;
  dir: string;
  /** `<topic>-<partition>`, for messages. */
  name: string;
  logger: LogLogger;
  state(): CleanerLogState;
  /** Runs `task` with appends, rolls, retention and truncation held off; rejects when the log is closed or offline. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Inside {@link exclusive}: installs a new segment list. */
  setSegments(segments: LogSegment[]): void;
  /** Lets the owner write its checkpoints (`cleaner-offset-checkpoint` among them). */
  onCheckpointNeeded(): Promise<void>;
}

const NOTHING: CompactionResult = Object.freeze({ cleanedSegments: 0, removedRecords: 0 });

/** Thrown inside a compaction when the log changed under it (retention, truncation, close). */
class Aborted extends Error {}

/**
 * Compacts one partition log; compactions of a log run one at a time.
 *
 * @example
 * ```ts
 * const cleaner = new LogCleaner(host);
 * await cleaner.compact();          // only when the dirty ratio is reached
 * cleaner.firstDirtyOffset;         // for cleaner-offset-checkpoint
 * ```
 */
export class LogCleaner {
  private readonly runs = new SerialQueue();
  private broken: EdgelogError | undefined;
  /** The lowest offset the log was truncated to while a compaction ran. */
  private truncatedTo = Number.POSITIVE_INFINITY;

  /** `checkpoint` is the partition's entry of `cleaner-offset-checkpoint`, if any. */
  constructor(
    private readonly host: CleanerHost,
    private checkpoint?: number,
  ) {}

  /** Where the uncompacted part of the log starts (the value to checkpoint). */
  get firstDirtyOffset(): number {
    const { logStartOffset, logEndOffset } = this.host.state();
    const c = this.checkpoint;
    return c === undefined || c < logStartOffset || c > logEndOffset ? logStartOffset : c;
  }

  /** Tells the cleaner the log was truncated to `offset`: nothing at or after it is clean any more. */
  truncated(offset: number): void {
    if (this.checkpoint !== undefined && this.checkpoint > offset) this.checkpoint = offset;
    this.truncatedTo = Math.min(this.truncatedTo, offset);
  }

  /**
   * Compacts the cleanable segments when the log's `cleanup.policy` includes "compact" and the dirty
   * ratio is reached (or `force`); otherwise resolves with zeros.
   */
  compact(options: CompactOptions = {}): Promise<CompactionResult> {
    return this.runs.run(async () => {
      if (this.broken !== undefined) throw this.broken;
      try {
        return await this.run(options);
      } catch (error) {
        if (error instanceof Aborted) return NOTHING;
        throw error;
      }
    });
  }

  private async run(options: CompactOptions): Promise<CompactionResult> {
    this.truncatedTo = Number.POSITIVE_INFINITY;
    const { config, segments, logStartOffset, logEndOffset, highWatermark } = this.host.state();
    if (!config.cleanupPolicy.includes("compact")) return NOTHING;
    const now = this.host.clock.now();
    const plan = planCleaning({
      segments: segments.map((s) => ({ baseOffset: s.baseOffset, sizeInBytes: s.size, largestTimestamp: s.largestTimestamp })),
      logStartOffset,
      logEndOffset,
      highWatermark,
      checkpoint: this.checkpoint,
      now,
      minCompactionLagMs: config.minCompactionLagMs,
    });
    if (plan.cleanableSegments === 0) return NOTHING;
    if (options.force !== true && !(plan.dirtyBytes > 0 && plan.dirtyRatio >= config.minCleanableDirtyRatio)) return NOTHING;

    const map = new OffsetMap(options.dedupeBufferBytes);
    const mapped = await this.buildOffsetMap(segments, plan.cleanableSegments, plan.firstDirtyOffset, plan.firstUncleanableOffset, map);
    let count = plan.cleanableSegments;
    while (count > 0 && segments[count - 1]!.baseOffset >= mapped.end) count--;
    const result = { cleanedSegments: 0, removedRecords: 0 };
    const context = { map, mapEnd: mapped.end, now, deleteRetentionMs: config.deleteRetentionMs };
    for (const group of groupSegments(segments, count, config)) {
      try {
        const cleaned = await this.cleanGroup(group, context, config);
        result.cleanedSegments += cleaned.segments;
        result.removedRecords += cleaned.removed;
      } catch (error) {
        // The log changed under the compaction: keep what is swapped in, leave the checkpoint.
        if (error instanceof Aborted) return result;
        throw error;
      }
    }
    const cleanTo = mapped.full ? mapped.end : Math.max(plan.firstDirtyOffset, plan.firstUncleanableOffset);
    // A truncation during the compaction made everything from its offset on new, hence dirty.
    this.checkpoint = Math.min(cleanTo, this.truncatedTo);
    await this.host.onCheckpointNeeded();
    this.host.logger(
      "info",
      `Compacted ${result.cleanedSegments} segment(s) of ${this.host.name}: removed ${result.removedRecords} record(s); clean up to offset ${this.checkpoint}`,
    );
    return result;
  }

  /**
   * Maps every key of the dirty offsets [firstDirty, end) of the first `count` segments. Stops
   * before a batch that would overflow the map; returns the end of what was mapped.
   */
  private async buildOffsetMap(
    segments: readonly LogSegment[],
    count: number,
    firstDirty: number,
    end: number,
    map: OffsetMap,
  ): Promise<{ end: number; full: boolean }> {
    for (let i = 0; i < count; i++) {
      const segment = segments[i]!;
      if (segments[i + 1]!.baseOffset <= firstDirty) continue;
      const stop = await this.withSegment(segment, async () => {
        const cursor = new BatchCursor(segment.file, segment.offsetIndex.lookup(firstDirty).position, segment.size);
        while (await cursor.next()) {
          if (cursor.lastOffset < firstDirty) continue;
          const batch = await decodeStoredBatch(await batchBytes(segment, cursor));
          if (batch === null) continue;
          let keys = 0;
          let keyBytes = 0;
          for (const r of batch.records) {
            if (r.key === null || r.offset < firstDirty) continue;
            keys++;
            keyBytes += r.key.length;
          }
          if (map.size > 0 && !map.fits(keys, keyBytes)) return batch.baseOffset;
          for (const r of batch.records) if (r.key !== null && r.offset >= firstDirty) map.put(r.key, r.offset);
        }
        checkCursor(segment, cursor);
        return undefined;
      });
      if (stop !== undefined) return { end: stop, full: true };
    }
    return { end, full: false };
  }

  /**
   * Writes the compacted form of `group` and swaps it in; returns the segments replaced and the
   * records dropped. A lone segment that compaction would not change stays as it is.
   */
  private async cleanGroup(group: readonly LogSegment[], context: FilterContext, config: LogConfig): Promise<{ segments: number; removed: number }> {
    const { fs, dir } = this.host;
    const base = group[0]!.baseOffset;
    const sizes = group.map((s) => s.size);
    const writer = await CleanedSegmentWriter.create(fs, dir, base, config);
    let removed = 0;
    let changed = group.length > 1;
    try {
      for (const segment of group) {
        await this.withSegment(segment, async () => {
          const cursor = new BatchCursor(segment.file, 0, segment.size);
          while (await cursor.next()) {
            const stored = await batchBytes(segment, cursor);
            const filtered = await filterBatch(stored, context);
            removed += filtered.removed;
            if (filtered.bytes !== stored) changed = true;
            if (filtered.bytes !== null) await writer.append(filtered.bytes);
          }
          checkCursor(segment, cursor);
        });
      }
      if (!changed) {
        await writer.discard();
        return { segments: 0, removed: 0 };
      }
      await writer.finish();
    } catch (error) {
      await writer.discard();
      throw error;
    }

    let fresh: LogSegment | undefined;
    try {
      fresh = await this.host.exclusive(async () => {
        const current = this.host.state().segments;
        const at = current.indexOf(group[0]!);
        const unchanged =
          at >= 0 &&
          at + group.length < current.length &&
          group.every((s, i) => current[at + i] === s && !s.deleted && s.size === sizes[i]);
        if (!unchanged) return undefined;
        try {
          await commitSwap(fs, dir, base);
        } catch (error) {
          if (!(await abandonSwap(fs, dir, base))) this.broken = storageError(`Compaction of ${this.host.name} is stopped after a failed swap`, error);
          throw error;
        }
        try {
          await finishSwap(fs, dir, base, group.slice(1).map((s) => s.baseOffset));
          const segment = await openCompacted(fs, dir, base, this.host.state().config, this.host.clock.now());
          // As Kafka: the compacted segment keeps the age of what it replaces (for retention.ms).
          segment.lastModified = Math.max(...group.map((s) => s.lastModified));
          this.host.setSegments([...current.slice(0, at), segment, ...current.slice(at + group.length)]);
          for (const s of group) s.deleted = true;
          return segment;
        } catch (error) {
          // The swap is committed on disk: recovery completes it at the next open. Until then this
          // log keeps serving the old segments through their open files, and compacts no more.
          this.broken = storageError(`Compaction of ${this.host.name} is stopped after a failed swap; it completes when the log is opened again`, error);
          throw this.broken;
        }
      });
    } finally {
      if (fresh === undefined) await writer.discard();
    }
    if (fresh === undefined) throw new Aborted();
    // Readers that picked up the old list finish on the old files before they close.
    await Promise.all(group.map((s) => s.abandon()));
    return { segments: group.length, removed };
  }

  /** Runs `task` on a segment's file, keeping the file open; aborts when the segment left the log. */
  private async withSegment<T>(segment: LogSegment, task: () => Promise<T>): Promise<T> {
    if (segment.deleted) throw new Aborted();
    segment.retain();
    try {
      return await task();
    } finally {
      segment.release();
    }
  }
}

/** The bytes of the cursor's current batch. */
async function batchBytes(segment: LogSegment, cursor: BatchCursor): Promise<Uint8Array> {
  const bytes = cursor.cached(cursor.position, cursor.size) ?? (await readSegment(segment, cursor.position, cursor.size));
  if (bytes.length !== cursor.size) throw storageError(`Cannot read the batch at byte ${cursor.position} of ${segment.logPath}: the file is shorter`);
  return bytes;
}

async function readSegment(segment: LogSegment, position: number, length: number): Promise<Uint8Array> {
  try {
    return await segment.file.read(position, length);
  } catch (cause) {
    throw storageError(`Cannot read ${segment.logPath}`, cause);
  }
}

function checkCursor(segment: LogSegment, cursor: BatchCursor): void {
  if (cursor.problem !== undefined) throw new EdgelogError("CORRUPT_MESSAGE", `Cannot compact ${segment.logPath}: ${cursor.problem}`);
}

/**
 * Splits `segments[0, count)` into runs of consecutive segments that fit one segment: at most
 * `segment.bytes` of log, `segment.index.bytes` of each index, and offsets within int32 of the first
 * base offset (as Kafka's groupSegmentsBySize).
 */
function groupSegments(segments: readonly LogSegment[], count: number, config: LogConfig): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < count) {
    const first = segments[i]!;
    const group = [first];
    let logBytes = first.size;
    let indexBytes = first.offsetIndex.entries * 8;
    let timeBytes = first.timeIndex.entries * 12;
    i++;
    while (i < count) {
      const next = segments[i]!;
      const lastOffset = segments[i + 1]!.baseOffset - 1;
      if (logBytes + next.size > config.segmentBytes) break;
      if (indexBytes + next.offsetIndex.entries * 8 > config.segmentIndexBytes) break;
      if (timeBytes + next.timeIndex.entries * 12 > config.segmentIndexBytes) break;
      if (next.size > 0 && lastOffset - first.baseOffset > MAX_RELATIVE_OFFSET) break;
      group.push(next);
      logBytes += next.size;
      indexBytes += next.offsetIndex.entries * 8;
      timeBytes += next.timeIndex.entries * 12;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

/** Opens the swapped-in segment, rebuilding its indexes if they do not check out. */
async function openCompacted(fs: FileSystem, dir: string, base: number, config: LogConfig, now: number): Promise<LogSegment> {
  const { segment, missingIndex } = await LogSegment.open(fs, dir, base, config, now);
  const problem = missingIndex ? "an index file is missing" : (segment.offsetIndex.check(segment.size) ?? (await segment.loadTail()) ?? segment.checkIndexes());
  if (problem !== undefined) {
    await recoverSegment(segment, base - 1);
    await segment.persistIndexes();
  }
  return segment;
}
