/**
 * Big-endian 64-bit integers as JavaScript numbers. Offsets and timestamps stay well inside
 * ±2^53, so the log keeps them as `number` and avoids BigInt on the hot path.
 *
 * @example
 * ```ts
 * const b = new Uint8Array(8);
 * writeInt64(b, 0, 1_700_000_000_000);
 * readInt64(b, 0); // 1700000000000
 * ```
 * @module
 */

const TWO_32 = 0x1_0000_0000;

/**
 * Reads a signed big-endian int64 at `offset`.
 *
 * @example
 * ```ts
 * readInt64(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255]), 0); // -1
 * ```
 */
export function readInt64(bytes: Uint8Array, offset: number): number {
  const hi = (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
  const lo = ((bytes[offset + 4]! << 24) | (bytes[offset + 5]! << 16) | (bytes[offset + 6]! << 8) | bytes[offset + 7]!) >>> 0;
  return hi * TWO_32 + lo;
}

/**
 * Writes `value` (an integer within ±2^53) as a signed big-endian int64 at `offset`.
 *
 * @example
 * ```ts
 * writeInt64(buf, 0, -1); // ff ff ff ff ff ff ff ff
 * ```
 */
export function writeInt64(bytes: Uint8Array, offset: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  writeInt32(bytes, offset, hi | 0);
  writeInt32(bytes, offset + 4, lo | 0);
}

/**
 * Reads a signed big-endian int32.
 *
 * @example
 * ```ts
 * readInt32(new Uint8Array([0, 0, 1, 0]), 0); // 256
 * ```
 */
export function readInt32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

/**
 * Writes a big-endian int32 (signed or unsigned: the low 32 bits of `value`).
 *
 * @example
 * ```ts
 * writeInt32(buf, 0, 256); // 00 00 01 00
 * ```
 */
export function writeInt32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

/**
 * Reads a signed big-endian int16.
 *
 * @example
 * ```ts
 * readInt16(new Uint8Array([255, 255]), 0); // -1
 * ```
 */
export function readInt16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16)) >> 16;
}

/**
 * Writes a big-endian int16.
 *
 * @example
 * ```ts
 * writeInt16(buf, 0, 8); // 00 08
 * ```
 */
export function writeInt16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 8;
  bytes[offset + 1] = value;
}
