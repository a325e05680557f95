/**
 * One segment of a partition log: a `.log` file of whole record batches and its two sparse indexes,
 * kept in memory and written to `.index` and `.timeindex` on roll, flush and close (Kafka's
 * LogSegment, without memory maps).
 *
 * @example
 * ```ts
 * const segment = await LogSegment.create(fs, "data/t-0", 0, config, clock.now());
 * await segment.append([{ bytes, batches: scanBatches(bytes, 0, bytes.length, { checkCrc: true }).batches }], -1, clock.now());
 * const found = await readSegment(segment, 0, 1 << 20, segment.nextOffset, true);
 * ```
 * @module
 */
import type { FileHandle, FileSystem } from "../ports/file-system.ts";
import { isNotFound, joinPath } from "../ports/file-system.ts";
import { BATCH, type BatchHeader } from "../record/batch-header.ts";
import { readInt64 } from "../record/int64.ts";
import { BatchCursor } from "./batch-cursor.ts";
import type { LogConfig } from "./log-config.ts";
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from "./offset-index.ts";
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileName, TIME_INDEX_SUFFIX } from "./segment-name.ts";
import { storageError } from "./storage-error.ts";
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from "./time-index.ts";
import { translateOffset } from "./segment-read.ts";

/**
 * One append's bytes and the header views into them, as {@link LogSegment.append} takes them.
 *
 * @example
 * ```ts
 * const chunk: SegmentChunk = { bytes, batches: scanBatches(bytes, 0, bytes.length, { checkCrc: true }).batches };
 * ```
 */
export interface SegmentChunk {
  bytes: Uint8Array;
  batches: readonly BatchHeader[];
}

/** The largest offset delta a segment can index (int32 relative offsets). */
export const MAX_RELATIVE_OFFSET = 0x7fff_ffff;

/**
 * A segment and its indexes.
 *
 * @example
 * ```ts
 * const segment = await LogSegment.open(fs, dir, 1000, config, clock.now());
 * console.log(segment.baseOffset, segment.nextOffset, segment.size);
 * ```
 */
export class LogSegment {
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  /** Bytes of whole batches in the `.log` file, as far as appends have completed. */
  size = 0;
  /** The offset after the last batch; the base offset while empty. */
  nextOffset: number;
  /** Largest batch maxTimestamp so far, -1 when none. */
  maxTimestamp = -1;
  /** Last offset of the batch that carried {@link maxTimestamp}. */
  offsetOfMaxTimestamp = -1;
  /** Bytes appended since the last index entry. */
  bytesSinceLastIndexEntry = 0;
  /** When this segment was created or emptied (for `segment.ms` while its first timestamp is unknown). */
  created: number;
  /** Last change of the file, for retention of segments without timestamps. */
  lastModified: number;
  /** Whether the `.log` file has writes not yet synced. */
  unsynced = false;
  /** Set when the segment left the log; its files go once the last reader is done. */
  deleted = false;
  /** Set when a failed append could not be undone: the file may end in a partial batch. */
  broken = false;

  private rollTimestamp: number | undefined;
  private readers = 0;
  private idleWaiters: (() => void)[] = [];
  private indexWrites: Promise<void> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly baseOffset: number,
    readonly file: FileHandle,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private indexIntervalBytes: number,
    now: number,
  ) {
    this.logPath = joinPath(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.indexPath = joinPath(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    this.timeIndexPath = joinPath(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
    this.nextOffset = baseOffset;
    this.created = now;
    this.lastModified = now;
  }

  /** Creates an empty segment (replacing any files of the same base offset). */
  static async create(fs: FileSystem, dir: string, baseOffset: number, config: LogConfig, now: number): Promise<LogSegment> {
    const path = joinPath(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    let file: FileHandle;
    try {
      file = await fs.open(path, { create: true, truncate: true });
    } catch (cause) {
      throw storageError(`Cannot create segment ${path}`, cause);
    }
    const segment = new LogSegment(fs, dir, baseOffset, file, ...emptyIndexes(baseOffset, config), config.indexIntervalBytes, now);
    segment.offsetIndex.dirty = segment.timeIndex.dirty = true;
    return segment;
  }

  /**
   * Opens an existing segment with the indexes found on disk, unchecked; `rebuildIndexes` tells
   * whether an index file was missing. The caller checks ({@link checkIndexes}) or recovers it.
   */
  static async open(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    config: LogConfig,
    now: number,
  ): Promise<{ segment: LogSegment; missingIndex: boolean }> {
    const logPath = joinPath(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    let file: FileHandle;
    try {
      file = await fs.open(logPath);
    } catch (cause) {
      throw storageError(`Cannot open segment ${logPath}`, cause);
    }
    const indexBytes = await readOptional(fs, joinPath(dir, segmentFileName(baseOffset, INDEX_SUFFIX)));
    const timeBytes = await readOptional(fs, joinPath(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)));
    const [emptyOffsets, emptyTimes] = emptyIndexes(baseOffset, config);
    const offsetIndex = indexBytes ? OffsetIndex.fromBytes(baseOffset, emptyOffsets.maxEntries, indexBytes) : emptyOffsets;
    const timeIndex = timeBytes ? TimeIndex.fromBytes(baseOffset, emptyTimes.maxEntries, timeBytes) : emptyTimes;
    const segment = new LogSegment(fs, dir, baseOffset, file, offsetIndex, timeIndex, config.indexIntervalBytes, now);
    segment.size = file.size();
    const stat = await fs.stat(logPath).catch(() => null);
    if (stat) segment.lastModified = stat.mtimeMs;
    const torn =
      (indexBytes !== undefined && indexBytes.length % OFFSET_INDEX_ENTRY_SIZE !== 0) ||
      (timeBytes !== undefined && timeBytes.length % TIME_INDEX_ENTRY_SIZE !== 0);
    return { segment, missingIndex: indexBytes === undefined || timeBytes === undefined || torn };
  }

  /** Applies a changed config: index cadence and index limits. */
  updateConfig(config: LogConfig): void {
    this.indexIntervalBytes = config.indexIntervalBytes;
    const [offsets, times] = emptyIndexes(this.baseOffset, config);
    this.offsetIndex.maxEntries = offsets.maxEntries;
    this.timeIndex.maxEntries = times.maxEntries;
  }

  /** Newest timestamp for retention: the largest batch timestamp, or the file's mtime without one. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModified;
  }

  /** Whether offset `offset` can be indexed relative to this segment's base offset. */
  canHold(offset: number): boolean {
    return offset - this.baseOffset >= 0 && offset - this.baseOffset <= MAX_RELATIVE_OFFSET;
  }

  /**
   * How long this segment has waited for a time-based roll, as Kafka measures it: the new batches'
   * largest timestamp minus the first batch's, or wall time since creation without timestamps.
   */
  async timeWaitedForRoll(now: number, messageTimestamp: number): Promise<number> {
    if (this.rollTimestamp === undefined && this.size > 0) {
      const head = await this.file.read(0, BATCH.HEADER_SIZE);
      this.rollTimestamp = head.length === BATCH.HEADER_SIZE ? readInt64(head, BATCH.MAX_TIMESTAMP) : -1;
    }
    const first = this.rollTimestamp ?? -1;
    return first >= 0 ? messageTimestamp - first : now - this.created;
  }

  /** {@link timeWaitedForRoll} when it needs no read (the first batch's timestamp is known), else undefined. */
  knownTimeWaitedForRoll(now: number, messageTimestamp: number): number | undefined {
    if (this.rollTimestamp === undefined && this.size > 0) return undefined;
    const first = this.rollTimestamp ?? -1;
    return first >= 0 ? messageTimestamp - first : now - this.created;
  }

  /** Updates the indexes and in-memory state for a batch written at `position`. */
  indexBatch(lastOffset: number, maxTimestamp: number, position: number, size: number): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
    this.nextOffset = lastOffset + 1;
  }

  /**
   * Writes several appends (each `bytes` with the header views `batches` into it) as one file append,
   * in order; `firstTimestamp` is the first append's largest timestamp (the segment's roll timestamp
   * when it was empty). On failure the file is cut back to its previous size, nothing is indexed,
   * and a KAFKA_STORAGE_ERROR is thrown.
   */
  async append(chunks: readonly SegmentChunk[], firstTimestamp: number, now: number): Promise<void> {
    const start = this.size;
    const data = chunks.length === 1 ? chunks[0]!.bytes : concatChunks(chunks);
    try {
      await this.file.append(data);
    } catch (cause) {
      try {
        await this.file.truncate(start);
      } catch {
        this.broken = true;
      }
      throw storageError(`Cannot append to ${this.logPath}`, cause);
    }
    if (start === 0) this.rollTimestamp = firstTimestamp;
    let at = start;
    for (const chunk of chunks) {
      for (const h of chunk.batches) this.indexBatch(h.lastOffset, h.maxTimestamp, at + h.offset, h.sizeInBytes);
      at += chunk.bytes.length;
    }
    this.size = start + data.length;
    this.lastModified = now;
    this.unsynced = true;
  }

  /**
   * Walks the batches after the last offset index entry to learn the end of the segment (next
   * offset, largest timestamp, bytes since the last index entry). Returns the framing problem that
   * stopped the walk before the end of the file, if any.
   */
  async loadTail(): Promise<string | undefined> {
    const last = this.offsetIndex.lastEntry();
    const start = this.offsetIndex.entries > 0 ? last.position : 0;
    const indexedTime = this.timeIndex.lastEntry();
    this.maxTimestamp = indexedTime.timestamp;
    this.offsetOfMaxTimestamp = indexedTime.timestamp >= 0 ? indexedTime.offset : -1;
    this.nextOffset = this.offsetIndex.entries > 0 ? last.offset + 1 : this.baseOffset;
    const cursor = new BatchCursor(this.file, start, this.size);
    let first = true;
    while (await cursor.next()) {
      if (first && this.offsetIndex.entries > 0 && cursor.lastOffset !== last.offset) {
        return `offset index entry ${JSON.stringify(last)} does not point at the batch ending at that offset`;
      }
      first = false;
      if (cursor.maxTimestamp > this.maxTimestamp) {
        this.maxTimestamp = cursor.maxTimestamp;
        this.offsetOfMaxTimestamp = cursor.lastOffset;
      }
      this.nextOffset = cursor.lastOffset + 1;
    }
    this.bytesSinceLastIndexEntry = this.size - start;
    if (cursor.problem !== undefined) return cursor.problem;
    if (first && this.offsetIndex.entries > 0) return "the last offset index entry points at no batch";
    return undefined;
  }

  /** Describes why the indexes on disk cannot be trusted for a log of `size` bytes, if they cannot. */
  checkIndexes(): string | undefined {
    return this.offsetIndex.check(this.size) ?? this.timeIndex.check(this.nextOffset - 1);
  }

  /** Forgets both indexes and the derived state, before a rebuild from the log. */
  resetIndexes(): void {
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.offsetIndex.dirty = this.timeIndex.dirty = true;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    this.rollTimestamp = undefined;
  }

  /**
   * Drops every batch from the one holding `offset` on (a batch boundary at or before `offset`).
   * Returns the bytes removed.
   */
  async truncateTo(offset: number, now: number): Promise<number> {
    const cursor = await translateOffset(this, offset);
    if (cursor === null) return 0;
    const cut = cursor.position;
    const removed = this.size - cut;
    try {
      await this.file.truncate(cut);
    } catch (cause) {
      throw storageError(`Cannot truncate ${this.logPath}`, cause);
    }
    this.size = cut;
    this.offsetIndex.truncateTo(cursor.baseOffset);
    this.timeIndex.truncateTo(cursor.baseOffset);
    this.offsetIndex.dirty = this.timeIndex.dirty = true;
    this.unsynced = true;
    this.lastModified = now;
    if (cut === 0) {
      this.created = now;
      this.rollTimestamp = undefined;
    }
    const problem = await this.loadTail();
    if (problem !== undefined) throw storageError(`Cannot truncate ${this.logPath}: ${problem}`);
    return removed;
  }

  /** Writes changed indexes to their files, one write at a time per segment. */
  persistIndexes(): Promise<void> {
    const run = this.indexWrites.then(async () => {
      if (this.disposed) return;
      const offsets = this.offsetIndex.dirty;
      const times = this.timeIndex.dirty;
      this.offsetIndex.dirty = this.timeIndex.dirty = false;
      try {
        if (offsets) await this.fs.writeFile(this.indexPath, this.offsetIndex.toBytes());
        if (times) await this.fs.writeFile(this.timeIndexPath, this.timeIndex.toBytes());
      } catch (cause) {
        this.offsetIndex.dirty ||= offsets;
        this.timeIndex.dirty ||= times;
        throw storageError(`Cannot write the indexes of ${this.logPath}`, cause);
      }
    });
    this.indexWrites = run.catch(() => undefined);
    return run;
  }

  /** Makes the log file and the indexes durable. */
  async sync(): Promise<void> {
    if (this.disposed) return;
    this.retain();
    try {
      const unsynced = this.unsynced;
      this.unsynced = false;
      try {
        if (unsynced) await this.file.sync();
      } catch (cause) {
        this.unsynced = true;
        throw storageError(`Cannot sync ${this.logPath}`, cause);
      }
      await this.persistIndexes();
    } finally {
      this.release();
    }
  }

  /** What Kafka does when a segment stops being active: a final time index entry, then sync. */
  async seal(): Promise<void> {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    await this.sync();
  }

  /** Seals the segment and closes its file once no read is using it. */
  async close(): Promise<void> {
    if (this.disposed) return;
    await this.seal();
    await this.whenIdle();
    this.disposed = true;
    await this.file.close().catch(() => undefined);
  }

  /** Closes the file without syncing (for a log that is being deleted or was lost). */
  async abandon(): Promise<void> {
    if (this.disposed) return;
    await this.whenIdle();
    this.disposed = true;
    await this.file.close().catch(() => undefined);
  }

  /** Removes the segment's files once no read is using it (reads in flight finish first). */
  async destroy(): Promise<void> {
    this.deleted = true;
    await this.whenIdle();
    if (!this.disposed) {
      this.disposed = true;
      await this.file.close().catch(() => undefined);
    }
    await this.indexWrites;
    try {
      await this.fs.remove(this.logPath);
      await this.fs.remove(this.indexPath);
      await this.fs.remove(this.timeIndexPath);
    } catch (cause) {
      throw storageError(`Cannot delete segment ${this.logPath}`, cause);
    }
  }

  /** Marks a read in progress; the file stays open until {@link release}. */
  retain(): void {
    this.readers++;
  }

  /** Ends a read started with {@link retain}. */
  release(): void {
    this.readers--;
    if (this.readers === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private whenIdle(): Promise<void> {
    if (this.readers === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function emptyIndexes(baseOffset: number, config: LogConfig): [OffsetIndex, TimeIndex] {
  const bytes = Math.max(config.segmentIndexBytes, OFFSET_INDEX_ENTRY_SIZE * TIME_INDEX_ENTRY_SIZE);
  return [
    new OffsetIndex(baseOffset, Math.floor(bytes / OFFSET_INDEX_ENTRY_SIZE)),
    new TimeIndex(baseOffset, Math.floor(bytes / TIME_INDEX_ENTRY_SIZE)),
  ];
}

async function readOptional(fs: FileSystem, path: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(path);
  } catch (cause) {
    if (isNotFound(cause)) return undefined;
    throw storageError(`Cannot read ${path}`, cause);
  }
}

function concatChunks(chunks: readonly SegmentChunk[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.bytes.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk.bytes, at);
    at += chunk.bytes.length;
  }
  return out;
}
