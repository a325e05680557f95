/**
 * Small helpers every {@link Coordination} implementation shares: building entries, turning values
 * into bytes, and ordering keys the way etcd does (by their UTF-8 bytes).
 *
 * @example
 * ```ts
 * const entry = coordinationEntry({ key: "a", value: valueBytes("x"), createRevision: 2, modRevision: 2, version: 1, lease: null });
 * entry.text; // "x"
 * ```
 * @module
 */
import type { CoordinationEntry, CoordinationValue } from "../ports/coordination.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The bytes of a value: a string as UTF-8, bytes as they are (not copied).
 *
 * @example
 * ```ts
 * valueBytes("hé"); // Uint8Array [104, 195, 169]
 * ```
 */
export function valueBytes(value: CoordinationValue): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError("A coordination value must be a Uint8Array or a string");
}

/**
 * An entry with its `text` decoded from `value`.
 *
 * @example
 * ```ts
 * coordinationEntry({ key: "k", value: new Uint8Array([49]), createRevision: 5, modRevision: 7, version: 2, lease: "9" }).text; // "1"
 * ```
 */
export function coordinationEntry(fields: Omit<CoordinationEntry, "text">): CoordinationEntry {
  return { ...fields, text: decoder.decode(fields.value) };
}

/**
 * Orders two keys by their UTF-8 bytes (that is, by code point), as etcd sorts them.
 *
 * @example
 * ```ts
 * ["b", "a/1", "a"].sort(compareKeys); // ["a", "a/1", "b"]
 * ```
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  return j < b.length ? -1 : 0;
}

/**
 * Orders two byte strings lexicographically (for value comparisons in transactions).
 *
 * @example
 * ```ts
 * compareBytes(new Uint8Array([1]), new Uint8Array([1, 0])); // -1
 * ```
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
