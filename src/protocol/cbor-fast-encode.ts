/**
 * A fast path for encoding the CBOR frames the broker sends most (fetch replies, pushes, produce
 * acknowledgements): a small encoder for a common subset of values that writes the bytes cbor-x
 * writes for them (as `frame-codec.ts` configures it), into one buffer of exactly the frame's size.
 * cbor-x grows its buffer by copying it into one four times the needed size, which for a frame
 * carrying a megabyte of record batches costs more than the rest of the encoding together.
 *
 * The subset: plain maps (plain objects; `undefined` values are left out), arrays (`undefined`
 * items become CBOR `undefined`), strings, integers of magnitude below 2^64 (as the shortest CBOR
 * integer), other numbers (as float64), `false`, `true`, `null` and `Uint8Array`s (as byte
 * strings), nested at most {@link MAX_DEPTH} deep. Everything else ({@link NOT_COMMON}) is left to
 * cbor-x: bigints, `Map`s, `Date`s, class instances, other typed arrays, deeper nesting.
 *
 * Strings are written as UTF-8, a lone surrogate as U+FFFD (as `TextEncoder` does).
 *
 * @example
 * ```ts
 * const bytes = encodeCommonCbor(frame);
 * const out = bytes === NOT_COMMON ? cborX.encode(frame) : bytes;
 * ```
 * @module
 */
import { utf8Length } from "../core/record/record.ts";
import { MAX_DEPTH, NOT_COMMON } from "./cbor-fast-decode.ts";
import { isPlainMap } from "./fields.ts";

const TWO_32 = 0x1_0000_0000;
const TWO_64 = 2 ** 64;
const scratch = new DataView(new ArrayBuffer(8));
const utf8 = new TextEncoder();

let out: Uint8Array = new Uint8Array(0);
let pos = 0;

/**
 * Encodes `value` as one CBOR data item when it lies in the common subset (see the module notes);
 * otherwise returns {@link NOT_COMMON} and the caller encodes it with cbor-x. Never throws.
 * `target`, when given, supplies the memory to write into: an array of exactly `size` bytes.
 *
 * @example
 * ```ts
 * encodeCommonCbor({ id: 1 });     // Uint8Array [0xa1, 0x62, 0x69, 0x64, 0x01]
 * encodeCommonCbor({ at: 2n });    // NOT_COMMON
 * encodeCommonCbor({ id: 1 }, (size) => scratch.subarray(0, size)); // written into scratch
 * ```
 */
export function encodeCommonCbor(value: unknown, target?: (size: number) => Uint8Array): Uint8Array | typeof NOT_COMMON {
  let size: number;
  try {
    size = sizeOf(value, 0);
  } catch {
    return NOT_COMMON; // e.g. a getter that throws: cbor-x decides
  }
  if (size < 0) return NOT_COMMON;
  out = target ? target(size) : new Uint8Array(size);
  pos = 0;
  let written = -1;
  try {
    write(value);
    written = pos;
  } catch {
    // a getter that throws: cbor-x decides
  }
  const bytes = out;
  out = new Uint8Array(0);
  // a getter may give another value the second time
  return written === size ? bytes : NOT_COMMON;
}

/** Whether a number is written as a CBOR integer (as frame-codec.ts has cbor-x write it), not a float64. */
function isCborInteger(value: number): boolean {
  return Number.isInteger(value) && value < TWO_64 && value > -TWO_64;
}

/** The size of a head whose argument is `n` (a non-negative integer below 2^64). */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < TWO_32 ? 5 : 9;
}

/** The encoded size of `value`, or -1 when it is outside the subset. */
function sizeOf(value: unknown, depth: number): number {
  switch (typeof value) {
    case "number":
      if (!isCborInteger(value)) return 9;
      return headSize(value < 0 ? -1 - value : value);
    case "string": {
      const length = utf8Length(value);
      return headSize(length) + length;
    }
    case "boolean":
      return 1;
    case "object":
      break;
    default:
      return -1;
  }
  if (value === null) return 1;
  if (value instanceof Uint8Array) return headSize(value.length) + value.length;
  if (depth >= MAX_DEPTH) return -1;
  if (Array.isArray(value)) {
    let size = headSize(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const itemSize = item === undefined ? 1 : sizeOf(item, depth + 1);
      if (itemSize < 0) return -1;
      size += itemSize;
    }
    return size;
  }
  if (!isPlainMap(value)) return -1;
  let size = 0;
  let entries = 0;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue;
    const itemSize = sizeOf(item, depth + 1);
    if (itemSize < 0) return -1;
    const keyLength = utf8Length(key);
    size += headSize(keyLength) + keyLength + itemSize;
    entries++;
  }
  return headSize(entries) + size;
}

/** Writes a head of major type `major` with argument `n` (a non-negative integer below 2^64). */
function writeHead(major: number, n: number): void {
  const m = major << 5;
  if (n < 24) out[pos++] = m | n;
  else if (n < 0x100) {
    out[pos++] = m | 24;
    out[pos++] = n;
  } else if (n < 0x1_0000) {
    out[pos++] = m | 25;
    out[pos++] = n >> 8;
    out[pos++] = n & 0xff;
  } else if (n < TWO_32) {
    out[pos++] = m | 26;
    writeUint32(n);
  } else {
    out[pos++] = m | 27;
    writeUint32(Math.floor(n / TWO_32));
    writeUint32(n % TWO_32);
  }
}

function writeUint32(n: number): void {
  out[pos++] = n >>> 24;
  out[pos++] = (n >>> 16) & 0xff;
  out[pos++] = (n >>> 8) & 0xff;
  out[pos++] = n & 0xff;
}

/** Writes `value`, which {@link sizeOf} measured. */
function write(value: unknown): void {
  switch (typeof value) {
    case "number":
      if (!isCborInteger(value)) {
        out[pos++] = 0xfb;
        scratch.setFloat64(0, value);
        for (let i = 0; i < 8; i++) out[pos++] = scratch.getUint8(i);
      } else if (value >= 0) writeHead(0, value);
      else if (value >= -TWO_32) writeHead(1, -1 - value);
      else {
        // -1 - value is not exact beyond 2^53: subtract 1 from the magnitude's two 32-bit halves
        let high = Math.floor(-value / TWO_32);
        let low = -value % TWO_32;
        if (low === 0) {
          low = TWO_32 - 1;
          high--;
        } else low--;
        out[pos++] = 0x3b;
        writeUint32(high);
        writeUint32(low);
      }
      return;
    case "string":
      writeText(value);
      return;
    case "boolean":
      out[pos++] = value ? 0xf5 : 0xf4;
      return;
  }
  if (value === null) {
    out[pos++] = 0xf6;
    return;
  }
  if (value instanceof Uint8Array) {
    writeHead(2, value.length);
    out.set(value, pos);
    pos += value.length;
    return;
  }
  if (Array.isArray(value)) {
    writeHead(4, value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) out[pos++] = 0xf7;
      else write(item);
    }
    return;
  }
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map);
  let entries = 0;
  for (const key of keys) if (map[key] !== undefined) entries++;
  writeHead(5, entries);
  for (const key of keys) {
    const item = map[key];
    if (item === undefined) continue;
    writeText(key);
    write(item);
  }
}

function writeText(text: string): void {
  const length = utf8Length(text);
  writeHead(3, length);
  if (length === text.length) {
    for (let i = 0; i < length; i++) out[pos++] = text.charCodeAt(i);
  } else {
    utf8.encodeInto(text, out.subarray(pos, pos + length));
    pos += length;
  }
}
