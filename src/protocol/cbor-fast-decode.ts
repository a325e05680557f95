/**
 * A fast path for decoding the CBOR frames clients send most (produce, fetch, credit, ...): a small
 * decoder for the common subset of CBOR that gives exactly what cbor-x gives for it (with
 * `mapsAsObjects`, `int64AsNumber`), and gives up on everything
 * else, so that cbor-x decodes those frames and reports their errors as before.
 *
 * The subset: unsigned and negative integers (up to 64 bits, as numbers), definite-length byte
 * strings, ASCII text strings, arrays and maps of up to {@link MAX_ITEMS} items, maps with ASCII text
 * keys (other than `__proto__`, which cbor-x renames), `false`, `true`, `null` and `undefined`,
 * nested at most {@link MAX_DEPTH} deep, and nothing after the top-level item. Not in it: floats,
 * tags, indefinite lengths, other simple values, non-ASCII text, truncated or malformed input.
 *
 * Short strings (map keys, op names, topic names) come from a small cache of recent ones instead of
 * being built again for every frame, and no `DataView` of the input is created. Byte strings are
 * plain `Uint8Array`s: copies up to {@link COPIED_BYTES} bytes, views of the input above.
 *
 * @example
 * ```ts
 * const value = decodeCommonCbor(bytes);
 * const frame = value === NOT_COMMON ? cborX.decode(bytes) : value;
 * ```
 * @module
 */

/**
 * What {@link decodeCommonCbor} returns for input outside its subset (including invalid input).
 *
 * @example
 * ```ts
 * if (decodeCommonCbor(bytes) === NOT_COMMON) console.log("decode with cbor-x");
 * ```
 */
export const NOT_COMMON: unique symbol = Symbol("NOT_COMMON");

/**
 * Arrays and maps larger than this are left to cbor-x (and its size limits).
 *
 * @example
 * ```ts
 * decodeCommonCbor(encodeFrame(new Array(MAX_ITEMS + 1).fill(0), "cbor")); // NOT_COMMON
 * ```
 */
export const MAX_ITEMS = 65_536;
/**
 * Deeper nesting is left to cbor-x.
 *
 * @example
 * ```ts
 * decodeCommonCbor(new Uint8Array([...new Array(MAX_DEPTH + 1).fill(0x81), 0])); // NOT_COMMON
 * ```
 */
export const MAX_DEPTH = 64;

/**
 * Byte strings up to this many bytes are copied; longer ones are views of the input. A copy of a
 * small one costs less than the first view of a fresh message (0.2 µs against 0.7 µs on Bun 1.4).
 *
 * @example
 * ```ts
 * const { batches } = decodeCommonCbor(frame) as { batches: Uint8Array };
 * batches.buffer === frame.buffer; // only when batches.length > COPIED_BYTES
 * ```
 */
export const COPIED_BYTES = 1024;
/** Strings up to this many bytes are looked up in the cache. */
const CACHED_STRING_BYTES = 24;
const CACHE_SLOTS = 1024;
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

let src: Uint8Array = EMPTY;
let pos = 0;
let end = 0;

/**
 * Decodes `bytes` as one CBOR data item when it lies in the common subset (see the module notes);
 * otherwise returns {@link NOT_COMMON} and the caller decodes it with cbor-x. Never throws.
 *
 * @example
 * ```ts
 * decodeCommonCbor(new Uint8Array([0xa1, 0x62, 0x69, 0x64, 0x01])); // { id: 1 }
 * decodeCommonCbor(new Uint8Array([0xf9, 0x3c, 0x00]));             // NOT_COMMON (a float16)
 * ```
 */
export function decodeCommonCbor(bytes: Uint8Array): unknown {
  src = bytes;
  pos = 0;
  end = bytes.length;
  let value: unknown;
  try {
    value = readItem(0);
  } catch {
    value = NOT_COMMON; // e.g. a stack overflow on some runtime before MAX_DEPTH: cbor-x decides
  }
  const complete = pos === end;
  src = EMPTY;
  return complete ? value : NOT_COMMON;
}

/** The argument of a head with additional info `info` (below 27), or -1 when it is not readable. */
function readArgument(info: number): number {
  if (info < 24) return info;
  if (info === 24) return pos < end ? src[pos++]! : -1;
  if (info === 25) {
    if (pos + 2 > end) return -1;
    const value = (src[pos]! << 8) | src[pos + 1]!;
    pos += 2;
    return value;
  }
  if (info === 26) {
    if (pos + 4 > end) return -1;
    const value = uint32At(pos);
    pos += 4;
    return value;
  }
  return -1;
}

function uint32At(at: number): number {
  return src[at]! * 0x100_0000 + ((src[at + 1]! << 16) | (src[at + 2]! << 8) | src[at + 3]!);
}

function readItem(depth: number): unknown {
  if (pos >= end || depth > MAX_DEPTH) return NOT_COMMON;
  const head = src[pos++]!;
  const major = head >> 5;
  const info = head & 0x1f;
  if (major <= 1) {
    let value: number;
    if (info === 27) {
      if (pos + 8 > end) return NOT_COMMON;
      // as cbor-x with int64AsNumber: exact below 2^53, rounded above
      value = uint32At(pos) * 0x1_0000_0000 + uint32At(pos + 4);
      pos += 8;
    } else {
      value = readArgument(info);
      if (value < 0) return NOT_COMMON;
    }
    return major === 0 ? value : -1 - value;
  }
  if (major === 7) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    return NOT_COMMON;
  }
  if (major === 6) return NOT_COMMON;
  const length = readArgument(info);
  if (length < 0) return NOT_COMMON;
  switch (major) {
    case 2:
      if (length > end - pos) return NOT_COMMON;
      // a view needs the input's ArrayBuffer, which a runtime may first have to make: copy small ones
      return length <= COPIED_BYTES ? src.slice(pos, (pos += length)) : src.subarray(pos, (pos += length));
    case 3:
      return readText(length);
    case 4: {
      if (length > MAX_ITEMS || length > end - pos) return NOT_COMMON;
      const array = new Array<unknown>(length);
      for (let i = 0; i < length; i++) {
        const item = readItem(depth + 1);
        if (item === NOT_COMMON) return NOT_COMMON;
        array[i] = item;
      }
      return array;
    }
    default: {
      if (length > MAX_ITEMS || length * 2 > end - pos) return NOT_COMMON;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < length; i++) {
        if (pos >= end) return NOT_COMMON;
        const keyHead = src[pos++]!;
        // only text keys
        if (keyHead >> 5 !== 3) return NOT_COMMON;
        const keyLength = readArgument(keyHead & 0x1f);
        if (keyLength < 0) return NOT_COMMON;
        const key = readText(keyLength);
        if (key === NOT_COMMON || key === "__proto__") return NOT_COMMON;
        const item = readItem(depth + 1);
        if (item === NOT_COMMON) return NOT_COMMON;
        object[key] = item;
      }
      return object;
    }
  }
}

/** An ASCII text string of `length` bytes at `pos`, or NOT_COMMON. */
function readText(length: number): string | typeof NOT_COMMON {
  if (length > end - pos) return NOT_COMMON;
  const start = pos;
  const stop = start + length;
  if (length > CACHED_STRING_BYTES) {
    for (let i = start; i < stop; i++) if (src[i]! >= 0x80) return NOT_COMMON;
    pos = stop;
    return utf8.decode(src.subarray(start, stop));
  }
  let hash = length;
  for (let i = start; i < stop; i++) {
    const byte = src[i]!;
    if (byte >= 0x80) return NOT_COMMON;
    hash = (Math.imul(hash, 31) + byte) | 0;
  }
  const slot = hash & (CACHE_SLOTS - 1);
  const cached = cache[slot];
  pos = stop;
  if (cached !== undefined && cached.length === length && sameAscii(cached, start)) return cached;
  let text = "";
  for (let i = start; i < stop; i++) text += String.fromCharCode(src[i]!);
  cache[slot] = text;
  return text;
}

function sameAscii(text: string, at: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== src[at + i]) return false;
  return true;
}
