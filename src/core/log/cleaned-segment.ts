/**
 * Writes the segment that compaction produces from a group of old segments: `<base>.log.cleaned`
 * with its offset and time indexes (`<base>.index.cleaned`, `<base>.timeindex.cleaned`), built at
 * the same cadence as the log builds them on append. Nothing here is visible to the log until
 * `segment-swap.ts` renames the files into place; recovery deletes `.cleaned` files it finds.
 *
 * @example
 * ```ts
 * const writer = await CleanedSegmentWriter.create(fs, "data/t-0", 0, config);
 * await writer.append(batchBytes);
 * await writer.finish(); // synced: ready to be swapped in
 * ```
 * @module
 */
import type { FileHandle, FileSystem } from "../ports/file-system.ts";
import { joinPath } from "../ports/file-system.ts";
import { BatchHeader } from "../record/batch-header.ts";
import type { LogConfig } from "./log-config.ts";
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from "./offset-index.ts";
import { INDEX_SUFFIX, LOG_SUFFIX, segmentFileName, type SegmentSuffix, TIME_INDEX_SUFFIX } from "./segment-name.ts";
import { storageError } from "./storage-error.ts";
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from "./time-index.ts";

/** Suffix of the files a compaction is writing. */
export const CLEANED_SUFFIX = ".cleaned";

/** Bytes gathered before one append to the file. */
const WRITE_CHUNK_BYTES = 1024 * 1024;

/**
 * The path of a segment file of `dir` with an extra suffix (`.cleaned`, `.swap`).
 *
 * @example
 * ```ts
 * suffixedSegmentPath("data/t-0", 0, ".log", ".cleaned"); // "data/t-0/00000000000000000000.log.cleaned"
 * ```
 */
export function suffixedSegmentPath(dir: string, baseOffset: number, suffix: SegmentSuffix, extra: string): string {
  return joinPath(dir, segmentFileName(baseOffset, suffix) + extra);
}

/**
 * A `.cleaned` segment being written.
 *
 * @example
 * ```ts
 * const writer = await CleanedSegmentWriter.create(fs, dir, base, config);
 * try { for (const b of retained) await writer.append(b); await writer.finish(); }
 * catch (e) { await writer.discard(); throw e; }
 * ```
 */
export class CleanedSegmentWriter {
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  /** Bytes appended so far. */
  size = 0;
  /** Batches appended so far. */
  batches = 0;

  private readonly offsetIndex: OffsetIndex;
  private readonly timeIndex: TimeIndex;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private maxTimestamp = -1;
  private offsetOfMaxTimestamp = -1;
  private bytesSinceLastIndexEntry = 0;
  private closed = false;

  private constructor(
    private readonly fs: FileSystem,
    private readonly file: FileHandle,
    dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    indexBytes: number,
  ) {
    this.logPath = suffixedSegmentPath(dir, baseOffset, LOG_SUFFIX, CLEANED_SUFFIX);
    this.indexPath = suffixedSegmentPath(dir, baseOffset, INDEX_SUFFIX, CLEANED_SUFFIX);
    this.timeIndexPath = suffixedSegmentPath(dir, baseOffset, TIME_INDEX_SUFFIX, CLEANED_SUFFIX);
    const bytes = Math.max(indexBytes, OFFSET_INDEX_ENTRY_SIZE * TIME_INDEX_ENTRY_SIZE);
    this.offsetIndex = new OffsetIndex(baseOffset, Math.floor(bytes / OFFSET_INDEX_ENTRY_SIZE));
    this.timeIndex = new TimeIndex(baseOffset, Math.floor(bytes / TIME_INDEX_ENTRY_SIZE));
  }

  /** Creates (emptying any leftover) `<base>.log.cleaned` in `dir`. */
  static async create(fs: FileSystem, dir: string, baseOffset: number, config: LogConfig): Promise<CleanedSegmentWriter> {
    const path = suffixedSegmentPath(dir, baseOffset, LOG_SUFFIX, CLEANED_SUFFIX);
    let file: FileHandle;
    try {
      file = await fs.open(path, { create: true, truncate: true });
    } catch (cause) {
      throw storageError(`Cannot create ${path}`, cause);
    }
    return new CleanedSegmentWriter(fs, file, dir, baseOffset, config.indexIntervalBytes, config.segmentIndexBytes);
  }

  /** Adds one whole batch (its offsets must follow the previous batch's and fit this segment). */
  async append(batch: Uint8Array): Promise<void> {
    const h = new BatchHeader(batch, 0);
    const last = h.lastOffset;
    if (h.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = h.maxTimestamp;
      this.offsetOfMaxTimestamp = last;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(last, this.size);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += batch.length;
    this.size += batch.length;
    this.batches++;
    this.pending.push(batch);
    this.pendingBytes += batch.length;
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) await this.writePending();
  }

  /** Writes what is buffered, the final time index entry and both indexes, and syncs everything. */
  async finish(): Promise<void> {
    await this.writePending();
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true);
    try {
      await this.file.sync();
      this.closed = true;
      await this.file.close();
      await this.fs.writeFile(this.indexPath, this.offsetIndex.toBytes());
      await this.fs.writeFile(this.timeIndexPath, this.timeIndex.toBytes());
    } catch (cause) {
      throw storageError(`Cannot write ${this.logPath}`, cause);
    }
  }

  /** Closes and removes the `.cleaned` files (after a failure or an abort). */
  async discard(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.file.close().catch(() => undefined);
    }
    for (const path of [this.logPath, this.indexPath, this.timeIndexPath]) await this.fs.remove(path).catch(() => undefined);
  }

  private async writePending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const piece of this.pending) {
      chunk.set(piece, at);
      at += piece.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.file.append(chunk);
    } catch (cause) {
      throw storageError(`Cannot write ${this.logPath}`, cause);
    }
  }
}
