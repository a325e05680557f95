/**
 * The storage both of Kafka's segment indexes share: fixed-size entries held in a growing
 * `Uint8Array` in memory, written out whole on roll, flush and close, searched by binary search.
 * {@link OffsetIndex} and {@link TimeIndex} add their entry layouts on top.
 *
 * @example
 * ```ts
 * class PairIndex extends EntryIndex {
 *   constructor(base: number) { super(base, 1024, 8); }
 * }
 * ```
 * @module
 */

const INITIAL_ENTRIES = 64;

/**
 * Fixed-size index entries of one segment, in memory.
 *
 * @example
 * ```ts
 * const at = index.reserve(); // byte position of a new entry, or -1 when the index is full
 * ```
 */
export abstract class EntryIndex {
  protected buffer: Uint8Array;
  protected count = 0;
  /** Whether entries changed since the index was last written to its file. */
  dirty = false;

  constructor(
    readonly baseOffset: number,
    public maxEntries: number,
    protected readonly entrySize: number,
  ) {
    this.buffer = new Uint8Array(INITIAL_ENTRIES * entrySize);
  }

  /** Takes the whole entries stored in `bytes` (copied); a torn last entry is dropped. */
  protected load(bytes: Uint8Array): this {
    const whole = bytes.length - (bytes.length % this.entrySize);
    this.buffer = new Uint8Array(Math.max(whole, INITIAL_ENTRIES * this.entrySize));
    this.buffer.set(bytes.subarray(0, whole));
    this.count = whole / this.entrySize;
    return this;
  }

  /** Number of entries. */
  get entries(): number {
    return this.count;
  }

  /** Whether no further regular entry fits (the log rolls before appending to this segment). */
  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Makes room for one more entry and returns its byte position; the caller writes it, then {@link commit}s. */
  protected reserve(): number {
    const at = this.count * this.entrySize;
    if (at + this.entrySize > this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    return at;
  }

  /** Counts the entry written at the position {@link reserve} gave. */
  protected commit(): void {
    this.count++;
    this.dirty = true;
  }

  /** The last slot whose key (ascending across slots) is ≤ `target`, or -1. */
  protected floorSlot(keyAt: (slot: number) => number, target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first `keep` entries. */
  protected keepFirst(keep: number): void {
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

  /** A copy of the used entries: the exact file content (Kafka trims index files to this on roll). */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.count * this.entrySize);
  }
}
