/**
 * Walks the batch headers of a segment file without reading whole batches one by one: headers are
 * read in chunks (64 KiB by default), and a batch larger than a chunk costs one read of its header.
 * Checks framing (length, magic, offsets) but not CRCs; recovery uses `scanBatches` for that.
 *
 * @example
 * ```ts
 * const cursor = new BatchCursor(file, position, segmentSize);
 * while (await cursor.next()) {
 *   if (cursor.lastOffset >= target) return cursor.position;
 * }
 * ```
 * @module
 */
import type { FileHandle } from "../ports/file-system.ts";
import { BATCH } from "../record/batch-header.ts";
import { readInt32, readInt64 } from "../record/int64.ts";

/** Default size of one header read. */
export const HEADER_CHUNK_BYTES = 64 * 1024;

/**
 * A forward cursor over the batches in `[start, end)` of a file.
 *
 * @example
 * ```ts
 * const cursor = new BatchCursor(file, 0, file.size());
 * while (await cursor.next()) console.log(cursor.baseOffset, cursor.lastOffset, cursor.size);
 * if (cursor.problem) console.log(`stopped at ${cursor.position}: ${cursor.problem}`);
 * ```
 */
export class BatchCursor {
  /** Start of the current batch (after `next()` returned true), or where the walk stopped. */
  position: number;
  /** Bytes of the current batch, header included. */
  size = 0;
  baseOffset = -1;
  lastOffset = -1;
  maxTimestamp = -1;
  /** Why the walk stopped before `end`, when it did. */
  problem: string | undefined;

  private chunk: Uint8Array = new Uint8Array(0);
  private chunkStart = 0;
  private started = false;

  constructor(
    private readonly file: FileHandle,
    start: number,
    private readonly end: number,
    private readonly chunkBytes = HEADER_CHUNK_BYTES,
  ) {
    this.position = start;
  }

  /** Where the batch after the current one starts. */
  get nextPosition(): number {
    return this.position + this.size;
  }

  /**
   * The bytes of `[from, from + length)` if the last chunk read holds them, without a new read.
   * Lets a reader reuse the header chunk when the data it wants was read along with it.
   */
  cached(from: number, length: number): Uint8Array | undefined {
    const offset = from - this.chunkStart;
    if (offset < 0 || offset + length > this.chunk.length) return undefined;
    return this.chunk.subarray(offset, offset + length);
  }

  /** Moves to the next batch; false at `end` or at a torn or malformed header (see {@link problem}). */
  async next(): Promise<boolean> {
    const pos = this.started ? this.position + this.size : this.position;
    const previousSize = this.size;
    this.started = true;
    this.position = pos;
    this.size = 0;
    if (pos >= this.end) return false;
    if (this.end - pos < BATCH.HEADER_SIZE) return this.stop(`Truncated batch header at byte ${pos}`);
    let at = pos - this.chunkStart;
    if (at < 0 || at + BATCH.HEADER_SIZE > this.chunk.length) {
      // A batch bigger than a chunk: read just its header; otherwise read a whole chunk of headers.
      const wide = previousSize > this.chunkBytes;
      const length = Math.min(this.end - pos, wide ? BATCH.HEADER_SIZE : this.chunkBytes);
      this.chunk = await this.file.read(pos, length);
      this.chunkStart = pos;
      at = 0;
      if (this.chunk.length < BATCH.HEADER_SIZE) return this.stop(`Truncated batch header at byte ${pos}`);
    }
    const bytes = this.chunk;
    const batchLength = readInt32(bytes, at + BATCH.BATCH_LENGTH);
    const magic = bytes[at + BATCH.MAGIC]!;
    const delta = readInt32(bytes, at + BATCH.LAST_OFFSET_DELTA);
    if (batchLength < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) return this.stop(`Batch length ${batchLength} at byte ${pos} is below the header size`);
    if (magic !== BATCH.MAGIC_V2) return this.stop(`Unsupported magic ${magic} at byte ${pos}`);
    if (delta < 0) return this.stop(`Negative last offset delta at byte ${pos}`);
    const size = batchLength + BATCH.LOG_OVERHEAD;
    if (pos + size > this.end) return this.stop(`Batch at byte ${pos} claims ${size} bytes, ${this.end - pos} left`);
    this.size = size;
    this.baseOffset = readInt64(bytes, at + BATCH.BASE_OFFSET);
    this.lastOffset = this.baseOffset + delta;
    this.maxTimestamp = readInt64(bytes, at + BATCH.MAX_TIMESTAMP);
    return true;
  }

  private stop(problem: string): false {
    this.problem = problem;
    this.size = 0;
    return false;
  }
}
