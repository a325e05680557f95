/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka's RecordBatch v2.
 * Slicing-by-8 over precomputed tables: eight bytes per step on the hot path.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 * @module
 */

const POLY = 0x82f63b78;
// Int32Array rather than Uint32Array, and an int32 running value: the XORs give the same bits, but
// JavaScriptCore (Bun) deoptimizes on Uint32Array loads of the half of the entries at or above 2^31,
// which made crc32c() 15 times slower in the broker.
// Allocated here but filled on the first checksum: filling them at module load cost the broker's
// start-up about half a millisecond, and a start on a clean log checks no CRC before it listens.
const TABLES: Int32Array[] = Array.from({ length: 8 }, () => new Int32Array(256));
let filled = false;

function fillTables(t: Int32Array[]): void {
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0]![n]!;
    for (let k = 1; k < 8; k++) {
      c = t[0]![c & 0xff]! ^ (c >>> 8);
      t[k]![n] = c >>> 0;
    }
  }
  filled = true;
}

// Bound once here: destructuring the tables inside crc32c() cost more than checksumming a small batch.
const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

/**
 * The CRC-32C of `bytes[start, end)`, as an unsigned 32-bit number. Pass a previous result as
 * `seed` to continue a checksum over several pieces.
 *
 * @example
 * ```ts
 * const whole = crc32c(bytes);
 * const pieces = crc32c(bytes, 4, bytes.length, crc32c(bytes, 0, 4));
 * // whole === pieces
 * ```
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  if (!filled) fillTables(TABLES);
  return update(bytes, start, end, seed);
}

// Apart from crc32c(): with the first-call check in the same function JavaScriptCore compiled the
// loop about 30% slower.
function update(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let crc = ~seed | 0;
  let i = start;
  const fast = end - ((end - i) & 7);
  while (i < fast) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    crc = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[bytes[i + 4]!]! ^ t2[bytes[i + 5]!]! ^ t1[bytes[i + 6]!]! ^ t0[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = t0[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
