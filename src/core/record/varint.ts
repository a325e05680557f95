/**
 * Kafka's zigzag variable-length integers, as used inside RecordBatch v2 records: `varint` for
 * int32 values (1 to 5 bytes) and `varlong` for int64 values (1 to 10 bytes). Seven bits per byte,
 * least significant group first, high bit set on every byte but the last; zigzag maps
 * 0, -1, 1, -2, ... to 0, 1, 2, 3, ... so small negative numbers stay short.
 *
 * Varlongs are JavaScript numbers: writing accepts safe integers (±(2^53 - 1)), reading rejects a
 * value outside that range instead of rounding it.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(sizeOfVarint(300));
 * writeVarint(buf, 0, 300);             // d8 04
 * new VarintReader(buf).readVarint();   // 300
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

const TWO_31 = 0x8000_0000;
const INT32_MIN = -TWO_31;
const INT32_MAX = TWO_31 - 1;

/**
 * Bytes the zigzag varint encoding of the int32 `value` takes (1 to 5).
 *
 * @example
 * ```ts
 * sizeOfVarint(-1);  // 1
 * sizeOfVarint(300); // 2
 * ```
 */
export function sizeOfVarint(value: number): number {
  const z = ((value << 1) ^ (value >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x20_0000) return 3;
  if (z < 0x1000_0000) return 4;
  return 5;
}

/**
 * Bytes the zigzag varlong encoding of the safe integer `value` takes (1 to 8 within ±2^53).
 *
 * @example
 * ```ts
 * sizeOfVarlong(1_700_000_000_000); // 6
 * ```
 */
export function sizeOfVarlong(value: number): number {
  if (value >= INT32_MIN && value <= INT32_MAX) return sizeOfVarint(value);
  // zigzag(value) >> 7, computed without forming zigzag(value), which may not be exact above 2^53.
  let rest = Math.floor((value >= 0 ? value : -value - 1) / 64);
  let size = 1;
  while (rest > 0) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}

/**
 * Writes the int32 `value` as a zigzag varint at `offset` and returns the offset after it.
 * The caller provides room ({@link sizeOfVarint}); `value` must be an int32 (RangeError otherwise).
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(2);
 * writeVarint(buf, 0, 300); // 2; buf is d8 04
 * ```
 */
export function writeVarint(bytes: Uint8Array, offset: number, value: number): number {
  if ((value | 0) !== value) throw new RangeError(`Cannot write ${value} as a varint: not an int32`);
  let z = ((value << 1) ^ (value >> 31)) >>> 0;
  while (z >= 0x80) {
    bytes[offset++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  bytes[offset++] = z;
  return offset;
}

/**
 * Writes the safe integer `value` as a zigzag varlong at `offset` and returns the offset after it.
 * The caller provides room ({@link sizeOfVarlong}); a value that is not a safe integer is a RangeError.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(sizeOfVarlong(-1));
 * writeVarlong(buf, 0, -1); // 1; buf is 01
 * ```
 */
export function writeVarlong(bytes: Uint8Array, offset: number, value: number): number {
  if ((value | 0) === value) return writeVarint(bytes, offset, value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`Cannot write ${value} as a varlong: not a safe integer`);
  // zigzag(value) = 2m + sign, with m = |value| or |value| - 1; emit its low 7 bits from m and sign,
  // then the rest, floor(m / 64), seven bits at a time. Every step stays exact below 2^53.
  const negative = value < 0;
  const m = negative ? -value - 1 : value;
  bytes[offset++] = ((m % 64) << 1) | (negative ? 1 : 0) | 0x80;
  let rest = Math.floor(m / 64);
  while (rest >= 0x80) {
    bytes[offset++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  bytes[offset++] = rest;
  return offset;
}

/**
 * A cursor over `bytes[pos, end)` that reads varints, varlongs and raw bytes, and throws
 * `EdgelogError("CORRUPT_MESSAGE")` on truncated or overlong input instead of reading past `end`.
 *
 * @example
 * ```ts
 * const r = new VarintReader(new Uint8Array([0x02, 0x01, 0x61]));
 * r.readVarint();  // 1
 * r.readVarlong(); // -1
 * r.readBytes(1);  // Uint8Array [0x61]
 * r.remaining;     // 0
 * ```
 */
export class VarintReader {
  /** Position of the next byte to read. */
  pos: number;

  constructor(readonly bytes: Uint8Array, pos = 0, readonly end = bytes.length) {
    if (pos < 0 || end > bytes.length || pos > end) {
      throw new RangeError(`Cannot read [${pos}, ${end}) of ${bytes.length} bytes`);
    }
    this.pos = pos;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads a zigzag varint (int32). */
  readVarint(): number {
    const { bytes, end } = this;
    let pos = this.pos;
    let z = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) throw this.corrupt("Truncated varint", pos);
      const b = bytes[pos++]!;
      if (shift === 28) {
        // The fifth byte holds bits 28..31: anything more overflows an int32 or continues too long.
        if (b > 0x0f) throw this.corrupt("Varint longer than 5 bytes or over 32 bits", this.pos);
        z |= b << 28;
        break;
      }
      z |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.pos = pos;
    return (z >>> 1) ^ -(z & 1);
  }

  /** Reads a zigzag varlong as a number; a value outside ±(2^53 - 1) is CORRUPT_MESSAGE. */
  readVarlong(): number {
    const { bytes, end } = this;
    let pos = this.pos;
    if (pos >= end) throw this.corrupt("Truncated varlong", pos);
    const first = bytes[pos++]!;
    const negative = (first & 1) === 1;
    // m = zigzag >> 1, gathered exactly: the first byte gives 6 bits, each next byte 7 more.
    let m = (first & 0x7f) >>> 1;
    let b = first;
    let scale = 64;
    for (let i = 1; b >= 0x80; i++) {
      if (i === 10) throw this.corrupt("Varlong longer than 10 bytes", this.pos);
      if (pos >= end) throw this.corrupt("Truncated varlong", pos);
      b = bytes[pos++]!;
      m += (b & 0x7f) * scale;
      scale *= 128;
    }
    if (m > Number.MAX_SAFE_INTEGER || (negative && m >= Number.MAX_SAFE_INTEGER)) {
      throw this.corrupt("Varlong outside the safe integer range", this.pos);
    }
    this.pos = pos;
    return negative ? -m - 1 : m;
  }

  /** Reads a signed byte. */
  readInt8(): number {
    if (this.pos >= this.end) throw this.corrupt("Truncated int8", this.pos);
    return (this.bytes[this.pos++]! << 24) >> 24;
  }

  /** Returns the next `length` bytes as a view into `bytes` (no copy) and moves past them. */
  readBytes(length: number): Uint8Array {
    if (length < 0 || length > this.end - this.pos) {
      throw this.corrupt(`Field of ${length} bytes with ${this.end - this.pos} left`, this.pos);
    }
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }

  private corrupt(what: string, at: number): EdgelogError {
    return new EdgelogError("CORRUPT_MESSAGE", `${what} at byte ${at}`);
  }
}
