/**
 * The log cleaner's map from a record key to the latest offset seen for it, as Kafka's OffsetMap
 * (`SkimpyOffsetMap`), with a memory budget like `log.cleaner.dedupe.buffer.size`. Kafka stores
 * 16-byte MD5 digests of keys in a fixed hash table; this map keeps the exact keys in a JS `Map`
 * (no collisions) and counts an estimate of the memory each entry takes against the budget.
 *
 * @example
 * ```ts
 * const map = new OffsetMap(32 * 1024 * 1024);
 * map.put(utf8("user-1"), 10);
 * map.put(utf8("user-1"), 42);
 * map.get(utf8("user-1")); // 42
 * ```
 * @module
 */

/** Bytes charged per entry on top of the key: the map slot, the string header and the number. */
export const OFFSET_MAP_ENTRY_OVERHEAD = 64;

/** Default memory budget of one cleaning pass. */
export const DEFAULT_OFFSET_MAP_BYTES = 32 * 1024 * 1024;

/**
 * Key bytes → latest offset, bounded by a memory budget.
 *
 * @example
 * ```ts
 * const map = new OffsetMap(1024);
 * if (!map.fits(keysOfNextBatch)) stopMappingHere();
 * ```
 */
export class OffsetMap {
  private readonly entries = new Map<string, number>();
  private used = 0;
  /** The largest offset put so far, -1 when empty. */
  latestOffset = -1;

  /** `capacityBytes` bounds the estimated memory of the entries. */
  constructor(readonly capacityBytes = DEFAULT_OFFSET_MAP_BYTES) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes <= 0) {
      throw new RangeError(`Offset map capacity must be a positive integer, got ${capacityBytes}`);
    }
  }

  /** Number of keys. */
  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes used by the entries. */
  get usedBytes(): number {
    return this.used;
  }

  /** Records `offset` as the latest offset of `key` (a later put of the same key replaces it). */
  put(key: Uint8Array, offset: number): void {
    const k = keyString(key);
    if (!this.entries.has(k)) this.used += key.length + OFFSET_MAP_ENTRY_OVERHEAD;
    this.entries.set(k, offset);
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  /** The latest offset of `key`, or undefined when the key was never put. */
  get(key: Uint8Array): number | undefined {
    return this.entries.get(keyString(key));
  }

  /** Whether entries for keys totalling `keyBytes` bytes in `count` keys still fit in the budget. */
  fits(count: number, keyBytes: number): boolean {
    return this.used + keyBytes + count * OFFSET_MAP_ENTRY_OVERHEAD <= this.capacityBytes;
  }

  /** Forgets every key. */
  clear(): void {
    this.entries.clear();
    this.used = 0;
    this.latestOffset = -1;
  }
}

/** An exact string form of key bytes: one UTF-16 unit per byte. */
function keyString(key: Uint8Array): string {
  if (key.length <= 64) {
    let s = "";
    for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]!);
    return s;
  }
  let s = "";
  for (let i = 0; i < key.length; i += 8192) s += String.fromCharCode(...key.subarray(i, i + 8192));
  return s;
}
