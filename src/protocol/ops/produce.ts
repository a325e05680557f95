/**
 * `produce`: appends records to partitions of one topic. Records travel either as stored RecordBatch
 * v2 bytes (one or more concatenated batches per partition; the broker assigns offsets by patching
 * baseOffset and keeps the bytes as they are) or one by one (`records`, see produce-records.ts), in
 * which case the broker builds the batch. Records without a partition are partitioned by the broker:
 * by key with Kafka's murmur2 partitioner; all keyless records of one request go to one partition,
 * chosen round robin across requests.
 *
 * ```
 * ProduceRequest =>
 *   id: uint
 *   op: "produce"
 *   acks?: 0 | 1 | -1 | "all" = -1   0: no reply at all; 1: leader appended; -1/"all": all in-sync replicas
 *   timeoutMs?: int32 = 30000        how long to wait for acks -1 before REQUEST_TIMED_OUT
 *   topic: string
 *   exactly one of
 *     partitions: [{                 at least one; no partition twice
 *       partition: int32
 *       exactly one of
 *         batches: bytes             RecordBatch v2, one or more, concatenated; not empty
 *         records: [Record]          at least one
 *     }]
 *     records: [Record]              at least one; the broker picks each record's partition
 *
 * ProduceResponse =>                 (none when acks is 0)
 *   id: uint
 *   topic: string
 *   partitions: [{                   one per partition written, in request order
 *     partition: int32
 *     baseOffset: int64              offset of the first record appended; record i has baseOffset + i
 *     logAppendTime: int64           -1 unless the topic stamps LogAppendTime
 *     logStartOffset: int64
 *     recordIndexes?: [uint]         by-key produce only: which request records went here, in order
 *     error?: WireError              instead of the three offsets, when this partition failed
 *   }]
 * ```
 * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, CORRUPT_MESSAGE,
 * MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_TIMESTAMP, NOT_ENOUGH_REPLICAS,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, UNSUPPORTED_COMPRESSION_TYPE,
 * KAFKA_STORAGE_ERROR. A by-key produce to a topic that does not exist fails as a whole.
 *
 * @example
 * ```ts
 * decodeProduceRequest({ id: 8, op: "produce", topic: "orders", partitions: [{ partition: 0, batches }] });
 * decodeProduceRequest({ id: 9, op: "produce", topic: "orders", acks: "all", records: [{ key: "u1", value: "{}" }] });
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { Fields, INT32_MAX, rejectDuplicates } from "../fields.ts";
import { type ProduceRecord, readProduceRecord } from "../produce-records.ts";

/** Kafka's acks: 0 none, 1 the leader, -1 all in-sync replicas. */
export type Acks = 0 | 1 | -1;

/** The default produce timeout, as Kafka's request.timeout.ms. */
export const DEFAULT_PRODUCE_TIMEOUT_MS = 30_000;

/** Records for one partition: stored batch bytes or records for the broker to batch. */
export type ProducePartition =
  | { partition: number; batches: Uint8Array; records?: undefined }
  | { partition: number; records: ProduceRecord[]; batches?: undefined };

/** A decoded `produce` request: either explicit partitions or records partitioned by the broker. */
export type ProduceRequest = {
  id: RequestId;
  op: "produce";
  acks: Acks;
  timeoutMs: number;
  topic: string;
} & ({ partitions: ProducePartition[]; records?: undefined } | { records: ProduceRecord[]; partitions?: undefined });

/** The outcome for one partition. */
export type ProducePartitionResult =
  | {
      partition: number;
      baseOffset: number;
      logAppendTime: number;
      logStartOffset: number;
      recordIndexes?: number[];
      error?: undefined;
    }
  | { partition: number; recordIndexes?: number[]; error: WireError };

/** The reply to `produce` (never sent for acks 0). */
export interface ProduceResponse {
  id: RequestId;
  topic: string;
  partitions: ProducePartitionResult[];
}

/**
 * Validates a decoded `produce` frame.
 *
 * @example
 * ```ts
 * decodeProduceRequest({ id: 8, op: "produce", topic: "t", acks: 2, records: [{ value: "x" }] }); // throws naming acks
 * ```
 */
export function decodeProduceRequest(frame: unknown): ProduceRequest {
  const { id, fields } = openRequest(frame, "produce");
  const head = {
    id,
    op: "produce" as const,
    acks: readAcks(fields),
    timeoutMs: fields.optionalInt("timeoutMs", 0, INT32_MAX, DEFAULT_PRODUCE_TIMEOUT_MS),
    topic: fields.string("topic"),
  };
  const hasPartitions = fields.has("partitions");
  if (hasPartitions === fields.has("records")) throw eitherOr(fields, "partitions", "records", hasPartitions);
  if (!hasPartitions) return { ...head, records: fields.list("records", readProduceRecord, 1) };
  const partitions = fields.list("partitions", readProducePartition, 1);
  rejectDuplicates(partitions.map((p) => p.partition), "partitions", "partition");
  return { ...head, partitions };
}

/**
 * Builds the reply to `produce`; failed partitions come from `withError({ partition }, error)`.
 *
 * @example
 * ```ts
 * produceResponse(req.id, "orders", [{ partition: 0, baseOffset: 42, logAppendTime: -1, logStartOffset: 0 }]);
 * ```
 */
export function produceResponse(id: RequestId, topic: string, partitions: ProducePartitionResult[]): ProduceResponse {
  return { id, topic, partitions };
}

function readAcks(fields: Fields): Acks {
  if (!fields.has("acks")) return -1;
  const acks = fields.get("acks");
  if (acks === 0 || acks === 1 || acks === -1) return acks;
  if (acks === "all") return -1;
  throw fields.fail("acks", '0, 1, -1 or "all"');
}

function readProducePartition(item: unknown, path: string): ProducePartition {
  const p = Fields.of(item, path);
  const partition = p.int("partition", 0, INT32_MAX);
  const hasBatches = p.has("batches");
  if (hasBatches === p.has("records")) throw eitherOr(p, "batches", "records", hasBatches);
  if (!hasBatches) return { partition, records: p.list("records", readProduceRecord, 1) };
  const batches = p.bytes("batches");
  if (batches.length === 0) throw p.fail("batches", "one or more record batches, not empty bytes");
  return { partition, batches };
}

/** The error for a map that must hold exactly one of two fields. */
function eitherOr(fields: Fields, a: string, b: string, both: boolean): EdgelogError {
  const path = fields.pathOf(a);
  const message = both
    ? `Fields ${path} and ${fields.pathOf(b)} exclude each other; give one`
    : `Field ${path} or ${fields.pathOf(b)} is required`;
  return new EdgelogError("INVALID_REQUEST", message, { details: { field: path } });
}
