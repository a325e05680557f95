/**
 * What a producer accepts for one message and its conversion into a record to encode: keys, values
 * and header values as `string` (UTF-8) or `Uint8Array` or `null`; headers as a map (a value may be
 * a list for a repeated key) or a list of `{ key, value }`; timestamps in milliseconds.
 *
 * @example
 * ```ts
 * import { toRecordInput } from "./message-input.ts";
 * const record = toRecordInput({ key: "user-1", value: "clicked", headers: { source: "web" } }, 0);
 * record.key; // Uint8Array of "user-1"
 * ```
 * @module
 */
import type { RecordInput } from "../core/record/record-batch.ts";

/**
 * Bytes of a key, a value or a header value: text (sent as UTF-8), bytes, or none.
 *
 * @example
 * ```ts
 * const value: MessageBytes = new Uint8Array([0, 1]);
 * ```
 */
export type MessageBytes = string | Uint8Array | null;

/**
 * Headers of a message: a map (a list value repeats the key) or a list that keeps order.
 *
 * @example
 * ```ts
 * const a: MessageHeaders = { source: "web", tag: ["a", "b"] };
 * const b: MessageHeaders = [{ key: "tag", value: "a" }, { key: "tag", value: "b" }];
 * ```
 */
export type MessageHeaders =
  | Record<string, MessageBytes | readonly MessageBytes[] | undefined>
  | readonly { key: string; value: MessageBytes }[];

/**
 * One message of a `send()`.
 *
 * @example
 * ```ts
 * const message: ProducerMessage = { key: "user-1", value: JSON.stringify({ total: 12 }), headers: { source: "web" } };
 * ```
 */
export interface ProducerMessage {
  /** `null` or absent: no key (round-robin partitioning unless `partition` is given). */
  key?: MessageBytes;
  /** Required; `null` is a tombstone. */
  value: MessageBytes;
  headers?: MessageHeaders;
  /** The partition to write to; default: by key as the broker does, keyless ones round robin. */
  partition?: number;
  /** Milliseconds since the epoch (a number or a decimal string, as kafkajs takes it); default: now. */
  timestamp?: number | string;
}

const utf8 = new TextEncoder();

/**
 * A message as a record for the batch encoder; checks it and throws a `TypeError`/`RangeError`
 * that names the message (`index`) when it is malformed.
 *
 * @example
 * ```ts
 * toRecordInput({ value: null }, 3); // { key: null, value: null, headers: [] } — a tombstone
 * toRecordInput({ value: 5 as never }, 3); // throws TypeError: Message 3 value must be ...
 * ```
 */
export function toRecordInput(message: ProducerMessage, index: number): RecordInput {
  if (message === null || typeof message !== "object") throw new TypeError(`Message ${index} must be an object with a value`);
  if (!("value" in message) || message.value === undefined) throw new TypeError(`Message ${index} needs a value (null for a tombstone)`);
  const record: RecordInput = {
    key: toBytes(message.key ?? null, `Message ${index} key`),
    value: toBytes(message.value, `Message ${index} value`),
    headers: toHeaders(message.headers, index),
  };
  const timestamp = toTimestamp(message.timestamp, index);
  if (timestamp !== undefined) record.timestamp = timestamp;
  return record;
}

/**
 * Checks an explicit partition of a message; `undefined` when it has none.
 *
 * @example
 * ```ts
 * explicitPartition({ value: "x", partition: 2 }, 0); // 2
 * ```
 */
export function explicitPartition(message: ProducerMessage, index: number): number | undefined {
  const partition = message.partition;
  if (partition === undefined || partition === null) return undefined;
  if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fff_ffff) {
    throw new RangeError(`Message ${index} partition must be an integer ≥ 0, got ${String(partition)}`);
  }
  return partition;
}

function toBytes(value: MessageBytes, what: string): Uint8Array | null {
  if (value === null) return null;
  if (typeof value === "string") return utf8.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be a string, a Uint8Array or null, got ${typeof value}`);
}

function toHeaders(headers: MessageHeaders | undefined, index: number): { key: string; value: Uint8Array | null }[] {
  if (headers === undefined || headers === null) return [];
  const out: { key: string; value: Uint8Array | null }[] = [];
  if (Array.isArray(headers)) {
    headers.forEach((header: { key: string; value: MessageBytes }, i: number) => {
      if (header === null || typeof header !== "object" || typeof header.key !== "string") {
        throw new TypeError(`Message ${index} header ${i} must be { key: string, value }`);
      }
      out.push({ key: header.key, value: toBytes(header.value ?? null, `Message ${index} header ${JSON.stringify(header.key)}`) });
    });
    return out;
  }
  if (typeof headers !== "object") throw new TypeError(`Message ${index} headers must be a map or a list`);
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const what = `Message ${index} header ${JSON.stringify(key)}`;
    if (Array.isArray(value)) for (const v of value as readonly MessageBytes[]) out.push({ key, value: toBytes(v, what) });
    else out.push({ key, value: toBytes(value as MessageBytes, what) });
  }
  return out;
}

function toTimestamp(timestamp: number | string | undefined, index: number): number | undefined {
  if (timestamp === undefined || timestamp === null) return undefined;
  const value = typeof timestamp === "string" && /^-?\d+$/.test(timestamp.trim()) ? Number(timestamp) : timestamp;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Message ${index} timestamp must be milliseconds since the epoch, got ${JSON.stringify(timestamp)}`);
  }
  return value;
}
