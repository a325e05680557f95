/**
 * `fetch`: reads stored record batches of one partition from an offset, as bytes (or, with
 * `format: "records"`, decoded into one map per record). When fewer than `minBytes` are available the
 * broker waits up to `maxWaitMs` for more (long poll), then answers with what it has (possibly
 * nothing). `minBytes` and `maxBytes` count stored batch bytes in both formats.
 *
 * ```
 * FetchRequest =>
 *   id: uint
 *   op: "fetch"
 *   topic: string
 *   partition: int32
 *   offset: int64 ≥ 0                 the first offset wanted
 *   maxBytes?: int32 ≥ 1 = 1048576    soft limit: the first batch is returned whole even when larger
 *   maxWaitMs?: int32 = 500           cut to hello's limits.maxWaitMs
 *   minBytes?: int32 = 1              0 answers at once
 *   currentLeaderEpoch?: int32 = -1   when ≥ 0, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH if it differs
 *   format?: "batches" | "records" = "batches"   see record-view.ts
 *   valueEncoding?: "bytes" | "utf8" = "bytes"   with "records": keys, values and header values as text
 *
 * FetchResponse =>                    format "batches"
 *   id: uint
 *   topic: string
 *   partition: int32
 *   batches: bytes                    whole stored batches, concatenated; the first may start before
 *                                     `offset` (skip its records below `offset`); empty when none
 *   highWatermark: int64              the end of what consumers may read
 *   logStartOffset: int64
 *   lastStableOffset: int64           equals highWatermark (no transactions)
 *
 * FetchRecordsResponse =>             format "records": the same, with `records` instead of `batches`
 *   records: [RecordView]             the records of those batches from `offset` on, in offset order
 * ```
 * Errors (whole request): UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, OFFSET_OUT_OF_RANGE
 * (offset below logStartOffset or past the log end; `details.logStartOffset`, `details.logEndOffset`),
 * FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, KAFKA_STORAGE_ERROR; with "records" also
 * CORRUPT_MESSAGE (a stored batch fails its CRC) and MESSAGE_TOO_LARGE (a batch decompresses past the
 * decoder's limit).
 *
 * @example
 * ```ts
 * decodeFetchRequest({ id: 10, op: "fetch", topic: "orders", partition: 0, offset: 42, maxWaitMs: 5000 });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT32_MAX, INT53_MAX } from "../fields.ts";
import { readTopicPartition } from "../topic-partitions.ts";
import { readRecordFormat, readValueEncoding, type RecordFormat, type RecordView, type ValueEncoding } from "../record-view.ts";

/** Defaults of a fetch, as Kafka's consumer: max.partition.fetch.bytes, fetch.max.wait.ms, fetch.min.bytes. */
export const FETCH_DEFAULTS = Object.freeze({ maxBytes: 1_048_576, maxWaitMs: 500, minBytes: 1 });

/** A decoded `fetch` request. */
export interface FetchRequest {
  id: RequestId;
  op: "fetch";
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
  maxWaitMs: number;
  minBytes: number;
  currentLeaderEpoch: number;
  /** "batches" (default): stored bytes; "records": one {@link RecordView} per record (the slow path). */
  format: RecordFormat;
  /** With format "records": keys, values and header values as bytes (default) or UTF-8 text. */
  valueEncoding: ValueEncoding;
}

/** The reply to `fetch` with format "batches". */
export interface FetchResponse {
  id: RequestId;
  topic: string;
  partition: number;
  batches: Uint8Array;
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
}

/**
 * The reply to `fetch` with format "records": the fields of {@link FetchResponse}, with the records
 * of the batches read, from the requested offset on, instead of their bytes.
 *
 * @example
 * ```ts
 * const reply: FetchRecordsResponse = { id: 9, topic: "t", partition: 0, records: [], highWatermark: 0, logStartOffset: 0, lastStableOffset: 0 };
 * ```
 */
export interface FetchRecordsResponse extends Omit<FetchResponse, "batches"> {
  records: RecordView[];
}

/**
 * Validates a decoded `fetch` frame.
 *
 * @example
 * ```ts
 * decodeFetchRequest({ id: 10, op: "fetch", topic: "t", partition: 0, offset: -1 }); // throws naming offset
 * ```
 */
export function decodeFetchRequest(frame: unknown): FetchRequest {
  const { id, fields } = openRequest(frame, "fetch");
  return {
    id,
    op: "fetch",
    ...readTopicPartition(fields),
    offset: fields.int("offset", 0, INT53_MAX),
    maxBytes: fields.optionalInt("maxBytes", 1, INT32_MAX, FETCH_DEFAULTS.maxBytes),
    maxWaitMs: fields.optionalInt("maxWaitMs", 0, INT32_MAX, FETCH_DEFAULTS.maxWaitMs),
    minBytes: fields.optionalInt("minBytes", 0, INT32_MAX, FETCH_DEFAULTS.minBytes),
    currentLeaderEpoch: fields.optionalInt("currentLeaderEpoch", -1, INT32_MAX, -1),
    format: readRecordFormat(fields),
    valueEncoding: readValueEncoding(fields),
  };
}

/**
 * Builds the reply to `fetch`, with `batches` or, for format "records", `records`.
 *
 * @example
 * ```ts
 * fetchResponse(req.id, { topic, partition, batches, highWatermark: 50, logStartOffset: 0, lastStableOffset: 50 });
 * fetchResponse(req.id, { topic, partition, records, highWatermark: 50, logStartOffset: 0, lastStableOffset: 50 });
 * ```
 */
export function fetchResponse(id: RequestId, body: Omit<FetchResponse, "id">): FetchResponse;
export function fetchResponse(id: RequestId, body: Omit<FetchRecordsResponse, "id">): FetchRecordsResponse;
export function fetchResponse(
  id: RequestId,
  body: Omit<FetchResponse, "id"> | Omit<FetchRecordsResponse, "id">,
): FetchResponse | FetchRecordsResponse;
export function fetchResponse(
  id: RequestId,
  body: Omit<FetchResponse, "id"> | Omit<FetchRecordsResponse, "id">,
): FetchResponse | FetchRecordsResponse {
  return { id, ...body };
}
