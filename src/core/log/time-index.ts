/**
 * Kafka's time index (`.timeindex`): 12-byte entries of int64 timestamp and int32 offset relative to
 * the segment's base offset. An entry is added, at the offset index's cadence, only when the
 * largest timestamp seen so far grew; its offset is the last offset of the batch that carried it.
 *
 * @example
 * ```ts
 * const index = new TimeIndex(0, 873813);
 * index.maybeAppend(1_700_000_000_000, 99);
 * index.lookup(1_700_000_000_500); // { timestamp: 1700000000000, offset: 99 }
 * ```
 * @module
 */
import { readInt32, readInt64, writeInt32, writeInt64 } from "../record/int64.ts";
import { EntryIndex } from "./entry-index.ts";

/** Bytes of one time index entry. */
export const TIME_INDEX_ENTRY_SIZE = 12;

/** A timestamp and the offset it was reached at. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/**
 * The time index of one segment, held in memory.
 *
 * @example
 * ```ts
 * const index = TimeIndex.fromBytes(0, 873813, await fs.readFile("t-0/00000000000000000000.timeindex"));
 * ```
 */
export class TimeIndex extends EntryIndex {
  /** `maxEntries` is `segment.index.bytes / 12`; a full index makes the log roll. */
  constructor(baseOffset: number, maxEntries: number) {
    super(baseOffset, maxEntries, TIME_INDEX_ENTRY_SIZE);
  }

  /** An index over the entries stored in `bytes` (copied). Call {@link check} before trusting it. */
  static fromBytes(baseOffset: number, maxEntries: number, bytes: Uint8Array): TimeIndex {
    return new TimeIndex(baseOffset, maxEntries).load(bytes);
  }

  /** Timestamp of entry `i`. */
  timestampAt(i: number): number {
    return readInt64(this.buffer, i * TIME_INDEX_ENTRY_SIZE);
  }

  /** Absolute offset of entry `i`. */
  offsetAt(i: number): number {
    return this.baseOffset + readInt32(this.buffer, i * TIME_INDEX_ENTRY_SIZE + 8);
  }

  /** The last entry, or `(-1, baseOffset)` when there is none. */
  lastEntry(): TimestampOffset {
    if (this.count === 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) };
  }

  /**
   * Adds `(timestamp, offset)` when `timestamp` is larger than the last entry's. A full index takes
   * no regular entry; `final` (the entry written when a segment closes) is taken regardless.
   */
  maybeAppend(timestamp: number, offset: number, final = false): void {
    if (timestamp < 0) return;
    if (this.count > 0) {
      const last = this.lastEntry();
      if (timestamp <= last.timestamp || offset <= last.offset) return;
    }
    if (!final && this.count >= this.maxEntries) return;
    const relative = offset - this.baseOffset;
    if (!(relative >= 0 && relative <= 0x7fff_ffff)) throw new RangeError(`Time index offset ${offset} is outside segment ${this.baseOffset}`);
    const at = this.reserve();
    writeInt64(this.buffer, at, timestamp);
    writeInt32(this.buffer, at + 8, relative);
    this.commit();
  }

  /** The entry with the largest timestamp ≤ `target`, or `(-1, baseOffset)` when none is. */
  lookup(target: number): TimestampOffset {
    const found = this.floorSlot(this.timestampKey, target);
    if (found < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(found), offset: this.offsetAt(found) };
  }

  /** Removes every entry whose offset is ≥ `offset`. */
  truncateTo(offset: number): void {
    let keep = this.count;
    while (keep > 0 && this.offsetAt(keep - 1) >= offset) keep--;
    this.keepFirst(keep);
  }

  /**
   * Describes the first problem (timestamps or offsets not increasing, an offset past
   * `lastOffset`, the segment's last offset), or returns undefined for a usable index.
   */
  check(lastOffset: number): string | undefined {
    let lastTimestamp = -1;
    let lastRelative = -1;
    for (let i = 0; i < this.count; i++) {
      const timestamp = this.timestampAt(i);
      const relative = readInt32(this.buffer, i * TIME_INDEX_ENTRY_SIZE + 8);
      if (timestamp <= lastTimestamp) return `time index entry ${i} has timestamp ${timestamp} after ${lastTimestamp}`;
      if (relative < 0 || relative <= lastRelative) return `time index entry ${i} has relative offset ${relative} after ${lastRelative}`;
      if (this.baseOffset + relative > lastOffset) return `time index entry ${i} points at offset ${this.baseOffset + relative} past ${lastOffset}`;
      lastTimestamp = timestamp;
      lastRelative = relative;
    }
    return undefined;
  }

  private readonly timestampKey = (slot: number): number => this.timestampAt(slot);
}
