/**
 * Total, typed reading of decoded frames: every reader returns a value of the promised type or throws
 * `EdgelogError("INVALID_REQUEST")` whose message names the field path (`partitions[2].partition`)
 * and the expected type, with the path in `details.field`. Only own properties are read, so a frame
 * can never reach `Object.prototype`. Unknown fields are ignored (forward compatibility). Optional
 * fields may be absent or `null`.
 *
 * @example
 * ```ts
 * import { Fields, INT32_MAX } from "./fields.ts";
 * const f = Fields.of({ topic: "t", partition: 0 });
 * f.string("topic");                 // "t"
 * f.int("partition", 0, INT32_MAX);  // 0
 * f.string("nope");                  // throws: Field nope is required (a string)
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import { decodeBase64 } from "./base64.ts";

/** The largest int32. */
export const INT32_MAX = 2147483647;
/** The largest int16. */
export const INT16_MAX = 32767;
/** The largest integer a JavaScript number holds exactly (2^53 − 1); int64 fields stop here. */
export const INT53_MAX = Number.MAX_SAFE_INTEGER;

/**
 * An `INVALID_REQUEST` error for the field at `path`.
 *
 * @example
 * ```ts
 * throw invalidField("credit.bytes", "an integer from 0 to 9007199254740991", -1);
 * ```
 */
export function invalidField(path: string, expected: string, value: unknown): EdgelogError {
  const message =
    value === undefined ? `Field ${path} is required (${expected})` : `Field ${path} must be ${expected}, got ${describeValue(value)}`;
  return new EdgelogError("INVALID_REQUEST", message, { details: { field: path } });
}

/**
 * A short description of a decoded value for error messages; never echoes long strings or bytes.
 *
 * @example
 * ```ts
 * describeValue(-1);          // "-1"
 * describeValue("x".repeat(99)); // "a string"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value.length <= 32 ? JSON.stringify(value) : "a string";
  if (typeof value === "bigint") return "an integer beyond 2^53";
  if (value instanceof Uint8Array) return "bytes";
  if (Array.isArray(value)) return "an array";
  if (isPlainMap(value)) return "a map";
  return typeof value === "object" ? "an unsupported value" : typeof value;
}

/**
 * Whether a decoded value is a map (a plain object, as JSON and cbor-x decode maps).
 *
 * @example
 * ```ts
 * isPlainMap({ a: 1 }); // true
 * isPlainMap([1]);      // false
 * ```
 */
export function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The path of `key` inside the map or list at `parent`.
 *
 * @example
 * ```ts
 * fieldPath("partitions", 2);     // "partitions[2]"
 * fieldPath("partitions[2]", "partition"); // "partitions[2].partition"
 * ```
 */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

/**
 * Bytes from a decoded value: a byte string (CBOR) or a base64 text string (JSON). Returns a plain
 * `Uint8Array` view (never a `Buffer`) sharing the frame's memory.
 *
 * @example
 * ```ts
 * readBytesValue("aGk=", "batches"); // Uint8Array [104, 105]
 * ```
 */
export function readBytesValue(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (typeof value === "string") {
    const bytes = decodeBase64(value);
    if (bytes !== undefined) return bytes;
  }
  throw invalidField(path, "bytes (a CBOR byte string or a base64 string)", value);
}

/**
 * A validated map of a frame at a known path, with typed readers for its fields.
 *
 * @example
 * ```ts
 * const f = Fields.of(frame);
 * const parts = f.list("partitions", (item, path) => Fields.of(item, path).int("partition", 0, INT32_MAX));
 * ```
 */
export class Fields {
  private constructor(
    /** The map itself. */
    readonly raw: Readonly<Record<string, unknown>>,
    /** Where the map sits in the frame; "" for the frame itself. */
    readonly path: string,
  ) {}

  /**
   * Checks that `value` is a map and wraps it.
   *
   * @example
   * ```ts
   * Fields.of(item, "topics[0]");
   * ```
   */
  static of(value: unknown, path = ""): Fields {
    if (!isPlainMap(value)) {
      if (path === "") throw new EdgelogError("INVALID_REQUEST", `A request must be a map, got ${describeValue(value)}`);
      throw invalidField(path, "a map", value);
    }
    return new Fields(value, path);
  }

  /**
   * The raw value of an own field, `undefined` when absent.
   *
   * @example
   * ```ts
   * Fields.of({ a: 1 }).get("toString"); // undefined, not Object.prototype.toString
   * ```
   */
  get(key: string): unknown {
    return Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
  }

  /**
   * Whether the field is present and not null.
   *
   * @example
   * ```ts
   * Fields.of({ a: null }).has("a"); // false
   * ```
   */
  has(key: string): boolean {
    const value = this.get(key);
    return value !== undefined && value !== null;
  }

  /**
   * The path of one of this map's fields.
   *
   * @example
   * ```ts
   * Fields.of({}, "credit").pathOf("bytes"); // "credit.bytes"
   * ```
   */
  pathOf(key: string): string {
    return fieldPath(this.path, key);
  }

  /**
   * An `INVALID_REQUEST` error for one of this map's fields.
   *
   * @example
   * ```ts
   * throw f.fail("from", '"earliest", "latest", {offset} or {timestamp}');
   * ```
   */
  fail(key: string, expected: string): EdgelogError {
    return invalidField(this.pathOf(key), expected, this.get(key));
  }

  /**
   * A required string field.
   *
   * @example
   * ```ts
   * Fields.of({ topic: "t" }).string("topic"); // "t"
   * ```
   */
  string(key: string): string {
    const value = this.get(key);
    if (typeof value !== "string") throw this.fail(key, "a string");
    return value;
  }

  /**
   * An optional string field; `undefined` when absent or null.
   *
   * @example
   * ```ts
   * Fields.of({}).optionalString("clientId"); // undefined
   * ```
   */
  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /**
   * A required integer field in [min, max].
   *
   * @example
   * ```ts
   * Fields.of({ partition: 3 }).int("partition", 0, INT32_MAX); // 3
   * ```
   */
  int(key: string, min: number, max: number): number {
    return readInt(this.get(key), this.pathOf(key), min, max);
  }

  /**
   * An optional integer field in [min, max]; `fallback` when absent or null.
   *
   * @example
   * ```ts
   * Fields.of({}).optionalInt("maxWaitMs", 0, INT32_MAX, 500); // 500
   * ```
   */
  optionalInt(key: string, min: number, max: number, fallback: number): number {
    return this.has(key) ? this.int(key, min, max) : fallback;
  }

  /**
   * An optional boolean field; `fallback` when absent or null.
   *
   * @example
   * ```ts
   * Fields.of({ validateOnly: true }).optionalBoolean("validateOnly", false); // true
   * ```
   */
  optionalBoolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.get(key);
    if (typeof value !== "boolean") throw this.fail(key, "a boolean");
    return value;
  }

  /**
   * A required bytes field: a CBOR byte string or, in JSON, a base64 string.
   *
   * @example
   * ```ts
   * Fields.of({ batches: "AAAA" }).bytes("batches"); // Uint8Array [0, 0, 0]
   * ```
   */
  bytes(key: string): Uint8Array {
    return readBytesValue(this.get(key), this.pathOf(key));
  }

  /**
   * A required nested map.
   *
   * @example
   * ```ts
   * Fields.of({ credit: { records: 1 } }).map("credit").int("records", 0, 10); // 1
   * ```
   */
  map(key: string): Fields {
    return Fields.of(this.get(key), this.pathOf(key));
  }

  /**
   * A required list, each item read by `each` with its own path; at least `minLength` items.
   *
   * @example
   * ```ts
   * f.list("topics", (v, path) => Fields.of(v, path).string("topic"), 1);
   * ```
   */
  list<T>(key: string, each: (item: unknown, path: string) => T, minLength = 0): T[] {
    const value = this.get(key);
    if (!Array.isArray(value) || value.length < minLength) {
      throw this.fail(key, minLength > 0 ? `an array of at least ${minLength} item${minLength === 1 ? "" : "s"}` : "an array");
    }
    const path = this.pathOf(key);
    const out = new Array<T>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = each(value[i], fieldPath(path, i));
    return out;
  }

  /**
   * An optional list; `undefined` when absent or null.
   *
   * @example
   * ```ts
   * Fields.of({ topics: null }).optionalList("topics", readString); // undefined
   * ```
   */
  optionalList<T>(key: string, each: (item: unknown, path: string) => T, minLength = 0): T[] | undefined {
    return this.has(key) ? this.list(key, each, minLength) : undefined;
  }
}

/**
 * A string list item.
 *
 * @example
 * ```ts
 * f.list("topics", readString, 1);
 * ```
 */
export function readString(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalidField(path, "a string", value);
  return value;
}

/**
 * An integer list item in [min, max].
 *
 * @example
 * ```ts
 * f.list("versions", (v, path) => readInt(v, path, 0, INT16_MAX), 1);
 * ```
 */
export function readInt(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalidField(path, `an integer from ${min} to ${max}`, value);
  }
  return value === 0 ? 0 : value;
}

/**
 * A string → string map, as Kafka's config maps. Numbers and booleans are accepted and written
 * with `String()`, so JSON clients may send `{"retention.ms": 60000}`.
 *
 * @example
 * ```ts
 * readStringMap({ "retention.ms": 60000 }, "configs"); // { "retention.ms": "60000" }
 * ```
 */
export function readStringMap(value: unknown, path: string): Record<string, string> {
  const fields = Fields.of(value, path);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(fields.raw)) {
    const v = fields.raw[key];
    if (typeof v === "string") out[key] = v;
    else if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean") out[key] = String(v);
    else throw invalidField(fieldPath(path, key), "a string, number or boolean", v);
  }
  return out;
}

/**
 * Throws `INVALID_REQUEST` for the second occurrence of a key in a list, e.g. the same partition twice.
 *
 * @example
 * ```ts
 * rejectDuplicates(partitions.map((p) => p.partition), "partitions", "partition");
 * ```
 */
export function rejectDuplicates(keys: readonly (string | number)[], listPath: string, keyField?: string): void {
  if (keys.length < 2) return;
  const seen = new Set<string | number>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (seen.has(key)) {
      const path = keyField === undefined ? fieldPath(listPath, i) : fieldPath(fieldPath(listPath, i), keyField);
      throw new EdgelogError("INVALID_REQUEST", `Field ${path} repeats ${JSON.stringify(key)}`, { details: { field: path } });
    }
    seen.add(key);
  }
}
