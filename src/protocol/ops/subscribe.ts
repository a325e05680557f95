/**
 * `subscribe`: asks the broker to push a partition's records as they arrive, from a starting position,
 * within a credit of records and bytes the client grants (and tops up with `credit`). See
 * `flow-credit.ts` for the exact rule and `push.ts` for the frames pushed.
 *
 * ```
 * SubscribeRequest =>
 *   id: uint
 *   op: "subscribe"
 *   topic: string
 *   partition: int32
 *   from: { offset: int64 ≥ 0 } | "earliest" | "latest" | { timestamp: int64 ≥ 0 }
 *   credit: { records: int ≥ 0, bytes: int ≥ 0 }     the initial credit; 0 in either pushes nothing yet
 *   format?: "batches" | "records" = "batches"       pushes carry stored `batches` or decoded `records`
 *   valueEncoding?: "bytes" | "utf8" = "bytes"       with "records": keys, values, header values as text
 *
 * SubscribeResponse =>
 *   id: uint
 *   sub: uint                  the subscription id, unique on this connection, named by pushes
 *   topic: string
 *   partition: int32
 *   offset: int64              the resolved start position: the first offset that will be pushed
 *   highWatermark: int64
 *   logStartOffset: int64
 * ```
 * `{timestamp}` starts at the first record with a timestamp at or after it, or at the high watermark
 * when there is none. `{offset}` below logStartOffset or above highWatermark fails with
 * OFFSET_OUT_OF_RANGE (`details.logStartOffset`); there is no automatic reset. Other errors:
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, RESOURCE_LIMIT_EXCEEDED (limits.maxSubscriptions).
 * `format: "records"` (see record-view.ts) is the slow path for clients that cannot decode batches;
 * credit is spent by the stored batches either way.
 *
 * @example
 * ```ts
 * decodeSubscribeRequest({ id: 13, op: "subscribe", topic: "orders", partition: 0, from: "earliest",
 *   credit: { records: 1000, bytes: 1048576 } });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { type Fields, INT32_MAX, INT53_MAX } from "../fields.ts";
import { readRecordFormat, readValueEncoding, type RecordFormat, type ValueEncoding } from "../record-view.ts";

/** Where a subscription starts. */
export type SubscribeFrom = "earliest" | "latest" | { offset: number } | { timestamp: number };

/** An amount of flow-control credit. */
export interface CreditAmount {
  records: number;
  bytes: number;
}

/** A decoded `subscribe` request. */
export interface SubscribeRequest {
  id: RequestId;
  op: "subscribe";
  topic: string;
  partition: number;
  from: SubscribeFrom;
  credit: CreditAmount;
  /** "batches" (default): pushes carry stored bytes; "records": one `RecordView` (record-view.ts) per record (the slow path). */
  format: RecordFormat;
  /** With format "records": keys, values and header values as bytes (default) or UTF-8 text. */
  valueEncoding: ValueEncoding;
}

/** The reply to `subscribe`. */
export interface SubscribeResponse {
  id: RequestId;
  sub: number;
  topic: string;
  partition: number;
  offset: number;
  highWatermark: number;
  logStartOffset: number;
}

/**
 * Validates a decoded `subscribe` frame.
 *
 * @example
 * ```ts
 * decodeSubscribeRequest({ id: 13, op: "subscribe", topic: "t", partition: 0, from: { offset: 5, timestamp: 1 },
 *   credit: { records: 1, bytes: 1 } }); // throws naming from
 * ```
 */
export function decodeSubscribeRequest(frame: unknown): SubscribeRequest {
  const { id, fields } = openRequest(frame, "subscribe");
  const topic = fields.string("topic");
  const partition = fields.int("partition", 0, INT32_MAX);
  const from = readFrom(fields);
  const c = fields.map("credit");
  const credit = { records: c.int("records", 0, INT53_MAX), bytes: c.int("bytes", 0, INT53_MAX) };
  const format = readRecordFormat(fields);
  const valueEncoding = readValueEncoding(fields);
  return { id, op: "subscribe", topic, partition, from, credit, format, valueEncoding };
}

/**
 * Builds the reply to `subscribe`.
 *
 * @example
 * ```ts
 * subscribeResponse(req.id, { sub: 1, topic, partition, offset: 0, highWatermark: 10, logStartOffset: 0 });
 * ```
 */
export function subscribeResponse(id: RequestId, body: Omit<SubscribeResponse, "id">): SubscribeResponse {
  return { id, ...body };
}

const FROM = '"earliest", "latest", {offset} or {timestamp}';

function readFrom(fields: Fields): SubscribeFrom {
  const from = fields.get("from");
  if (from === "earliest" || from === "latest") return from;
  if (typeof from !== "object" || from === null || Array.isArray(from) || from instanceof Uint8Array) {
    throw fields.fail("from", FROM);
  }
  const f = fields.map("from");
  const hasOffset = f.has("offset");
  if (hasOffset === f.has("timestamp")) throw fields.fail("from", `${FROM} (exactly one of offset and timestamp)`);
  return hasOffset ? { offset: f.int("offset", 0, INT53_MAX) } : { timestamp: f.int("timestamp", 0, INT53_MAX) };
}
