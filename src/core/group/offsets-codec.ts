/**
 * The records of `__consumer_offsets` in Kafka's binary formats, so that offsets committed to
 * edgelog read the same as Kafka's (and `kafka-dump-log --offsets-decoder` style tools can read ours).
 *
 * ```
 * OffsetCommitKey (record key, written as version 1; 0 has the same layout)
 *   version: int16          0 or 1 = offset commit, 2 = group metadata, 3+ = KIP-848 group records
 *   group: string           int16 length + UTF-8
 *   topic: string
 *   partition: int32
 * OffsetCommitValue (record value, written as version 3; null = tombstone)
 *   version: int16
 *   offset: int64
 *   leaderEpoch: int32      versions 3+ (-1 when unknown)
 *   metadata: string
 *   commitTimestamp: int64
 *   expireTimestamp: int64  version 1 only
 * ```
 * Version 4 of the value is Kafka's first flexible version (compact strings, tagged fields); it is
 * read, not written.
 *
 * @example
 * ```ts
 * const key = encodeOffsetCommitKey({ group: "g", topic: "t", partition: 0 });
 * const value = encodeOffsetCommitValue({ offset: 42, leaderEpoch: -1, metadata: "", commitTimestamp: Date.now() });
 * decodeOffsetsKey(key); // { type: "offsetCommit", group: "g", topic: "t", partition: 0 }
 * decodeOffsetCommitValue(value).offset; // 42
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { readInt16, readInt32, readInt64, writeInt16, writeInt32, writeInt64 } from "../record/int64.ts";

/**
 * The key version edgelog writes.
 *
 * @example
 * ```ts
 * encodeOffsetCommitKey({ group: "g", topic: "t", partition: 0 })[1]; // 1
 * ```
 */
export const OFFSET_COMMIT_KEY_VERSION = 1;

/**
 * The value version edgelog writes.
 *
 * @example
 * ```ts
 * encodeOffsetCommitValue(value)[1]; // 3
 * ```
 */
export const OFFSET_COMMIT_VALUE_VERSION = 3;

/**
 * The key of a committed offset.
 *
 * @example
 * ```ts
 * const key: OffsetCommitKey = { group: "billing", topic: "orders", partition: 2 };
 * ```
 */
export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

/**
 * The value of a committed offset.
 *
 * @example
 * ```ts
 * const value: OffsetCommitValue = { offset: 100, leaderEpoch: -1, metadata: "", commitTimestamp: 1_700_000_000_000 };
 * ```
 */
export interface OffsetCommitValue {
  offset: number;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only in version 1 values: an explicit expiry time. */
  expireTimestamp?: number;
}

/**
 * What a `__consumer_offsets` key is.
 *
 * @example
 * ```ts
 * const k: OffsetsKey = decodeOffsetsKey(record.key!);
 * if (k.type === "offsetCommit") console.log(k.group, k.topic, k.partition);
 * ```
 */
export type OffsetsKey =
  | ({ type: "offsetCommit" } & OffsetCommitKey)
  | { type: "groupMetadata"; group: string }
  | { type: "other"; version: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The longest string a Kafka `string` field holds, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * new TextEncoder().encode(groupId).length <= MAX_STRING_BYTES;
 * ```
 */
export const MAX_STRING_BYTES = 0x7fff;

/**
 * Encodes an offset commit key (version 1). Strings longer than 32767 UTF-8 bytes are a `RangeError`.
 *
 * @example
 * ```ts
 * encodeOffsetCommitKey({ group: "g", topic: "t", partition: 0 }); // 00 01 00 01 67 00 01 74 00 00 00 00
 * ```
 */
export function encodeOffsetCommitKey(key: OffsetCommitKey): Uint8Array {
  const group = utf8(key.group, "group");
  const topic = utf8(key.topic, "topic");
  const out = new Uint8Array(2 + 2 + group.length + 2 + topic.length + 4);
  writeInt16(out, 0, OFFSET_COMMIT_KEY_VERSION);
  let pos = writeString(out, 2, group);
  pos = writeString(out, pos, topic);
  writeInt32(out, pos, key.partition);
  return out;
}

/**
 * Encodes an offset commit value (version 3).
 *
 * @example
 * ```ts
 * encodeOffsetCommitValue({ offset: 5, leaderEpoch: -1, metadata: "", commitTimestamp: 0 }).length; // 2+8+4+2+8 = 24
 * ```
 */
export function encodeOffsetCommitValue(value: OffsetCommitValue): Uint8Array {
  const metadata = utf8(value.metadata, "metadata");
  const out = new Uint8Array(2 + 8 + 4 + 2 + metadata.length + 8);
  writeInt16(out, 0, OFFSET_COMMIT_VALUE_VERSION);
  writeInt64(out, 2, value.offset);
  writeInt32(out, 10, value.leaderEpoch);
  const pos = writeString(out, 14, metadata);
  writeInt64(out, pos, value.commitTimestamp);
  return out;
}

/**
 * Decodes a `__consumer_offsets` record key. Versions edgelog does not restore (group metadata and
 * KIP-848 group records) come back as their type; malformed bytes are `CORRUPT_MESSAGE`.
 *
 * @example
 * ```ts
 * decodeOffsetsKey(encodeOffsetCommitKey({ group: "g", topic: "t", partition: 1 })).type; // "offsetCommit"
 * ```
 */
export function decodeOffsetsKey(bytes: Uint8Array): OffsetsKey {
  const r = new Reader(bytes, "key");
  const version = r.int16();
  if (version === 0 || version === 1) {
    const key: OffsetsKey = { type: "offsetCommit", group: r.string(), topic: r.string(), partition: r.int32() };
    r.end();
    return key;
  }
  if (version === 2) {
    const key: OffsetsKey = { type: "groupMetadata", group: r.string() };
    r.end();
    return key;
  }
  return { type: "other", version };
}

/**
 * Decodes an offset commit value of any version Kafka writes (0 to 4).
 *
 * @example
 * ```ts
 * decodeOffsetCommitValue(encodeOffsetCommitValue({ offset: 9, leaderEpoch: 2, metadata: "m", commitTimestamp: 5 }));
 * // { offset: 9, leaderEpoch: 2, metadata: "m", commitTimestamp: 5 }
 * ```
 */
export function decodeOffsetCommitValue(bytes: Uint8Array): OffsetCommitValue {
  const r = new Reader(bytes, "value");
  const version = r.int16();
  if (version < 0 || version > 4) throw corrupt(`Unknown offset commit value version ${version}`);
  const flexible = version >= 4;
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = flexible ? r.compactString() : r.string();
  const commitTimestamp = r.int64();
  const value: OffsetCommitValue = { offset, leaderEpoch, metadata, commitTimestamp };
  if (version === 1) value.expireTimestamp = r.int64();
  if (flexible) r.skipTaggedFields();
  r.end();
  return value;
}

function utf8(s: string, what: string): Uint8Array {
  if (typeof s !== "string") throw new TypeError(`The ${what} must be a string`);
  const bytes = encoder.encode(s);
  if (bytes.length > MAX_STRING_BYTES) throw new RangeError(`The ${what} is ${bytes.length} bytes in UTF-8, above ${MAX_STRING_BYTES}`);
  return bytes;
}

function writeString(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  writeInt16(out, pos, bytes.length);
  out.set(bytes, pos + 2);
  return pos + 2 + bytes.length;
}

function corrupt(message: string): EdgelogError {
  return new EdgelogError("CORRUPT_MESSAGE", message);
}

/** Reads Kafka's fixed-width and compact fields, failing with CORRUPT_MESSAGE past the end. */
class Reader {
  private pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw corrupt(`Offsets ${this.what} of ${this.bytes.length} bytes ends before byte ${this.pos + Math.max(n, 0)}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  int16(): number {
    return readInt16(this.bytes, this.need(2));
  }
  int32(): number {
    return readInt32(this.bytes, this.need(4));
  }
  int64(): number {
    return readInt64(this.bytes, this.need(8));
  }
  string(): string {
    const n = this.int16();
    if (n === -1) return "";
    return this.text(n);
  }
  compactString(): string {
    const n = this.uvarint() - 1;
    if (n === -1) return "";
    return this.text(n);
  }
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      this.need(this.uvarint());
    }
  }
  end(): void {
    if (this.pos !== this.bytes.length) throw corrupt(`Offsets ${this.what} has ${this.bytes.length - this.pos} bytes past its fields`);
  }
  private text(n: number): string {
    const at = this.need(n);
    try {
      return decoder.decode(this.bytes.subarray(at, at + n));
    } catch (cause) {
      throw new EdgelogError("CORRUPT_MESSAGE", `Offsets ${this.what} holds a string that is not UTF-8`, { cause });
    }
  }
  private uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.bytes[this.need(1)]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw corrupt(`Offsets ${this.what} holds a varint longer than 5 bytes`);
  }
}
