/**
 * Kafka's sparse offset index (`.index`): 8-byte entries of int32 offset relative to the segment's
 * base offset and int32 position of a batch in the `.log` file. Kafka memory-maps it; edgelog keeps
 * it in a growing `Uint8Array` and writes it out on roll, flush and close.
 *
 * An entry `(offset, position)` says the batch whose last offset is `offset` starts at `position`,
 * so the floor entry of any target offset is a batch start at or before the batch holding it.
 *
 * @example
 * ```ts
 * const index = new OffsetIndex(1000, 1 << 17);
 * index.append(1041, 4210);
 * index.lookup(1100); // { offset: 1041, position: 4210 }
 * index.lookup(1010); // { offset: 1000, position: 0 } (before the first entry: the segment start)
 * ```
 * @module
 */
import { readInt32, writeInt32 } from "../record/int64.ts";

/** Bytes of one offset index entry. */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

/** An absolute offset and the file position of a batch. */
export interface OffsetPosition {
  offset: number;
  position: number;
}

/**
 * The offset index of one segment, held in memory.
 *
 * @example
 * ```ts
 * const index = OffsetIndex.fromBytes(0, 1310720, await fs.readFile("t-0/00000000000000000000.index"));
 * if (index.check(logSize) !== undefined) index.clear(); // rebuild from the log
 * ```
 */
export class OffsetIndex {
  private buffer: Uint8Array;
  private count = 0;
  /** Whether entries changed since the index was last written to its file. */
  dirty = false;

  /** `maxEntries` is `segment.index.bytes / 8`; a full index makes the log roll. */
  constructor(
    readonly baseOffset: number,
    public maxEntries: number,
  ) {
    this.buffer = new Uint8Array(64 * OFFSET_INDEX_ENTRY_SIZE);
  }

  /** An index over the entries stored in `bytes` (copied). Call {@link check} before trusting it. */
  static fromBytes(baseOffset: number, maxEntries: number, bytes: Uint8Array): OffsetIndex {
    const index = new OffsetIndex(baseOffset, maxEntries);
    const whole = bytes.length - (bytes.length % OFFSET_INDEX_ENTRY_SIZE);
    index.buffer = new Uint8Array(Math.max(whole, 64 * OFFSET_INDEX_ENTRY_SIZE));
    index.buffer.set(bytes.subarray(0, whole));
    index.count = whole / OFFSET_INDEX_ENTRY_SIZE;
    return index;
  }

  /** Number of entries. */
  get entries(): number {
    return this.count;
  }

  /** Whether no further entry fits (the log rolls before appending to this segment). */
  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Absolute offset of entry `i`. */
  offsetAt(i: number): number {
    return this.baseOffset + readInt32(this.buffer, i * OFFSET_INDEX_ENTRY_SIZE);
  }

  /** File position of entry `i`. */
  positionAt(i: number): number {
    return readInt32(this.buffer, i * OFFSET_INDEX_ENTRY_SIZE + 4);
  }

  /** The last entry, or `(baseOffset, 0)` when there is none (as Kafka's `lastEntry`). */
  lastEntry(): OffsetPosition {
    if (this.count === 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(this.count - 1), position: this.positionAt(this.count - 1) };
  }

  /**
   * Adds an entry. Offsets and positions must increase; a full index ignores the entry (the index
   * only gets sparser) so an append never fails because of it.
   */
  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    if (!(relative >= 0 && relative <= 0x7fff_ffff) || position < 0 || position > 0x7fff_ffff) {
      throw new RangeError(`Offset index entry (${offset}, ${position}) is outside segment ${this.baseOffset}`);
    }
    if (this.count > 0 && (offset <= this.offsetAt(this.count - 1) || position <= this.positionAt(this.count - 1))) {
      throw new RangeError(`Offset index entry (${offset}, ${position}) does not follow ${JSON.stringify(this.lastEntry())}`);
    }
    if (this.count >= this.maxEntries) return;
    const at = this.count * OFFSET_INDEX_ENTRY_SIZE;
    if (at + OFFSET_INDEX_ENTRY_SIZE > this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    writeInt32(this.buffer, at, relative);
    writeInt32(this.buffer, at + 4, position);
    this.count++;
    this.dirty = true;
  }

  /** The entry with the largest offset ≤ `target`, or `(baseOffset, 0)` when none is. */
  lookup(target: number): OffsetPosition {
    const slot = this.floorSlot(target);
    if (slot < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(slot), position: this.positionAt(slot) };
  }

  /** Removes every entry whose offset is ≥ `offset`. */
  truncateTo(offset: number): void {
    const slot = this.floorSlot(offset);
    let keep = slot + 1;
    if (slot >= 0 && this.offsetAt(slot) === offset) keep = slot;
    if (keep < this.count) {
      this.count = keep;
      this.dirty = true;
    }
  }

  /** Removes every entry. */
  clear(): void {
    if (this.count > 0) this.dirty = true;
    this.count = 0;
  }

  /**
   * Kafka's sanity check, and stricter: describes the first problem (offsets or positions not
   * increasing, a position at or past `logSize`), or returns undefined for a usable index.
   */
  check(logSize: number): string | undefined {
    let lastOffset = -1;
    let lastPosition = -1;
    for (let i = 0; i < this.count; i++) {
      const relative = readInt32(this.buffer, i * OFFSET_INDEX_ENTRY_SIZE);
      const position = this.positionAt(i);
      if (relative < 0 || relative <= lastOffset) return `offset index entry ${i} has relative offset ${relative} after ${lastOffset}`;
      if (position < 0 || position <= lastPosition) return `offset index entry ${i} has position ${position} after ${lastPosition}`;
      if (position >= logSize) return `offset index entry ${i} points at byte ${position} of a ${logSize}-byte log`;
      lastOffset = relative;
      lastPosition = position;
    }
    return undefined;
  }

  /** A copy of the used entries: the exact file content (Kafka trims the file to this on roll). */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.count * OFFSET_INDEX_ENTRY_SIZE);
  }

  private floorSlot(target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsetAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
