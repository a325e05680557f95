/**
 * Frames on the wire: binary WebSocket messages carry one CBOR data item (RFC 8949), text messages
 * one JSON value with bytes as base64 strings. cbor-x is imported only through its pure-JS entry
 * points (`cbor-x/encode`, `cbor-x/decode`), which load no native helper on Node, Bun, Deno or in
 * browsers.
 *
 * - CBOR encoding writes maps with string keys (no cbor-x records), `Uint8Array` as untagged byte
 *   strings, integers beyond 32 bits as CBOR integers (not floats), and drops `undefined` map values.
 *   The common values (maps, arrays, strings, safe integers, bytes) go through an encoder of our
 *   own (`cbor-fast-encode.ts`) that writes the same bytes into one buffer of the frame's size.
 * - CBOR decoding turns maps into plain objects, byte strings into plain `Uint8Array`s (never a
 *   `Buffer`; views of the input, except copies of small ones, see `cbor-fast-decode.ts`) and 64-bit
 *   integers into numbers. The common subset of CBOR that clients send goes through a faster decoder
 *   of our own (`cbor-fast-decode.ts`) with the same values; everything else, including every
 *   malformed frame, through cbor-x.
 * - Any malformed input ends in `EdgelogError("INVALID_REQUEST")`, never another exception.
 *
 * @example
 * ```ts
 * import { decodeFrame, encodeFrame } from "./frame-codec.ts";
 * const bytes = encodeFrame({ id: 1, op: "fetch", topic: "t", partition: 0, offset: 0 }, "cbor");
 * decodeFrame(bytes);                                    // { id: 1, op: "fetch", ... }
 * encodeFrame({ id: 1, batches: new Uint8Array([1]) }, "json"); // '{"id":1,"batches":"AQ=="}'
 * ```
 * @module
 */
import { Decoder } from "cbor-x/decode";
import { Encoder } from "cbor-x/encode";
import { EdgelogError } from "../core/errors.ts";
import { encodeBase64 } from "./base64.ts";
import { decodeCommonCbor, NOT_COMMON } from "./cbor-fast-decode.ts";
import { encodeCommonCbor } from "./cbor-fast-encode.ts";
import { isPlainMap } from "./fields.ts";

/** The two encodings of a frame: CBOR in binary messages, JSON in text messages. */
export type FrameFormat = "cbor" | "json";

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
const decoderOptions = { useRecords: false, mapsAsObjects: true, int64AsNumber: true };
const decoder = new Decoder(decoderOptions);

const TWO_32 = 0x1_0000_0000;
const TWO_64 = 2 ** 64;

/**
 * Encodes one frame. CBOR gives bytes for a binary message; JSON gives text for a text message, every
 * `Uint8Array` written as a base64 string.
 *
 * @example
 * ```ts
 * socket.send(encodeFrame({ id: 7, baseOffset: 42 }, format));
 * ```
 */
export function encodeFrame(value: unknown, format: "cbor"): Uint8Array;
export function encodeFrame(value: unknown, format: "json"): string;
export function encodeFrame(value: unknown, format: FrameFormat): Uint8Array | string;
export function encodeFrame(value: unknown, format: FrameFormat): Uint8Array | string {
  if (format === "json") return JSON.stringify(value, jsonReplacer);
  if (format !== "cbor") throw new TypeError(`Unknown frame format ${String(format)}`);
  const common = encodeCommonCbor(value);
  return common !== NOT_COMMON ? common : encodeWithCborX(value);
}

/** The values outside the fast path's subset, through cbor-x. */
function encodeWithCborX(value: unknown): Uint8Array {
  const out = encoder.encode(widenIntegers(value));
  // cbor-x hands out a Buffer on Node; give callers a plain view of the same memory
  return out.constructor === Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Frames up to this size encoded by {@link encodeFrameTransient} reuse one buffer; larger ones get
 * memory of their own, so that one large frame does not pin its size for the process's lifetime.
 *
 * @example
 * ```ts
 * encodeFrameTransient(reply).buffer.byteLength <= TRANSIENT_FRAME_BYTES; // unless the frame is larger
 * ```
 */
export const TRANSIENT_FRAME_BYTES = 8 * 1024 * 1024;
let transient = new Uint8Array(0);

function transientTarget(size: number): Uint8Array {
  if (size > TRANSIENT_FRAME_BYTES) return new Uint8Array(size);
  if (transient.length < size) transient = new Uint8Array(Math.min(TRANSIENT_FRAME_BYTES, Math.max(size, transient.length * 2, 64 * 1024)));
  return transient.subarray(0, size);
}

/**
 * Encodes one frame as CBOR into memory that the next call reuses: for a socket that copies the
 * bytes before its send returns. Fresh memory for every large frame (a fetch reply of a megabyte)
 * costs page faults that cost more than the copy itself; this memory stays mapped.
 *
 * @example
 * ```ts
 * socket.sendCopied(encodeFrameTransient(reply)); // the bytes are not used after this line
 * ```
 */
export function encodeFrameTransient(value: unknown): Uint8Array {
  const common = encodeCommonCbor(value, transientTarget);
  return common !== NOT_COMMON ? common : encodeWithCborX(value);
}

/**
 * Decodes one received message: bytes (or an `ArrayBuffer`) as CBOR, a string as JSON. Byte strings
 * in the result may be views of `data`; do not reuse `data`'s memory while they are in use.
 *
 * @example
 * ```ts
 * try { frame = decodeFrame(message); } catch (e) { socket.send(encodeFrame(errorFrame(null, e), "json")); }
 * ```
 */
export function decodeFrame(data: Uint8Array | ArrayBuffer | string): unknown {
  if (typeof data === "string") {
    try {
      return JSON.parse(data) as unknown;
    } catch (error) {
      throw new EdgelogError("INVALID_REQUEST", `Cannot parse JSON frame: ${reason(error)}`);
    }
  }
  let bytes: Uint8Array;
  // a plain Uint8Array is read as it is (a subclass such as Buffer through a plain view of its memory)
  if (data instanceof Uint8Array) bytes = data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else throw new EdgelogError("INVALID_REQUEST", "Cannot decode a frame that is neither bytes nor text");
  if (bytes.length === 0) throw new EdgelogError("INVALID_REQUEST", "Cannot decode an empty CBOR frame");
  const common = decodeCommonCbor(bytes);
  if (common !== NOT_COMMON) return common;
  // cbor-x caches a DataView on the array it reads: give it a view of our own, not the caller's array
  if (bytes === data) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return decoder.decode(bytes) as unknown;
  } catch (error) {
    throw new EdgelogError("INVALID_REQUEST", `Cannot decode CBOR frame: ${reason(error)}`);
  }
}

/**
 * The format of a received message, so a reply can use the same one.
 *
 * @example
 * ```ts
 * const format = formatOf(message); // "json" for text, "cbor" for binary
 * ```
 */
export function formatOf(data: Uint8Array | ArrayBuffer | string): FrameFormat {
  return typeof data === "string" ? "json" : "cbor";
}

/** A short, stack-free reason from whatever a parser threw. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/** JSON.stringify replacer: bytes become base64. Reads the holder's raw value, before any toJSON. */
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Uint8Array ? encodeBase64(raw) : value;
}

/**
 * Copies maps and arrays with integers outside ±2^32 as BigInt (cbor-x writes those as CBOR integers,
 * numbers as float64) and without `undefined` map values. Bytes and other values pass as they are.
 */
function widenIntegers(value: unknown): unknown {
  if (typeof value === "number") {
    return (value >= TWO_32 || value < -TWO_32) && Number.isInteger(value) && value < TWO_64 && value > -TWO_64
      ? BigInt(value)
      : value;
  }
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(widenIntegers);
  if (!isPlainMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    if (key === "__proto__") Object.defineProperty(out, key, { value: widenIntegers(v), enumerable: true, writable: true });
    else out[key] = widenIntegers(v);
  }
  return out;
}
