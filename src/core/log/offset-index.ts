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
import { EntryIndex } from "./entry-index.ts";

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
export class OffsetIndex extends EntryIndex {
  /** `maxEntries` is `segment.index.bytes / 8`; a full index makes the log roll. */
  constructor(baseOffset: number, maxEntries: number) {
    super(baseOffset, maxEntries, OFFSET_INDEX_ENTRY_SIZE);
  }

  /** An index over the entries stored in `bytes` (copied). Call {@link check} before trusting it. */
  static fromBytes(baseOffset: number, maxEntries: number, bytes: Uint8Array): OffsetIndex {
    return new OffsetIndex(baseOffset, maxEntries).load(bytes);
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
    const at = this.reserve();
    writeInt32(this.buffer, at, relative);
    writeInt32(this.buffer, at + 4, position);
    this.commit();
  }

  /** The entry with the largest offset ≤ `target`, or `(baseOffset, 0)` when none is. */
  lookup(target: number): OffsetPosition {
    const slot = this.floorSlot(this.offsetKey, target);
    if (slot < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(slot), position: this.positionAt(slot) };
  }

  /** Removes every entry whose offset is ≥ `offset`. */
  truncateTo(offset: number): void {
    const slot = this.floorSlot(this.offsetKey, offset);
    this.keepFirst(slot >= 0 && this.offsetAt(slot) === offset ? slot : slot + 1);
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

  private readonly offsetKey = (slot: number): number => this.offsetAt(slot);
}
