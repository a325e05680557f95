/**
 * `replicaFetch` (broker-internal): a follower broker fetches one partition from its leader, Kafka's
 * Fetch with a replica id. The leader answers with whole stored batches from `fetchOffset` up to
 * its log end (not only up to its high watermark), its positions, and, KIP-320 style, where the
 * follower's log diverges from its own when `lastFetchedEpoch` ends before `fetchOffset` there. It
 * long-polls up to `maxWaitMs` while it has nothing new. Clients never send it.
 *
 * ```
 * ReplicaFetchRequest =>
 *   id: uint
 *   op: "replicaFetch"
 *   topic: string
 *   partition: int32
 *   fetchOffset: int64 ≥ 0          the follower's log end offset
 *   leaderEpoch: int32 ≥ -1         the follower's view of the current leader epoch (-1: not checked)
 *   lastFetchedEpoch: int32 ≥ -1    the epoch of the follower's last batch; -1: no divergence check
 *   maxBytes: int32 ≥ 0             soft limit: the first batch is sent whole
 *   maxWaitMs: int32 ≥ 0            long poll while there is nothing new
 *   replicaId: int32 ≥ 0            the follower's broker id
 *
 * ReplicaFetchResponse =>
 *   id: uint
 *   topic: string
 *   partition: int32
 *   batches: bytes                  whole stored batches, byte for byte; empty with divergingEpoch
 *   highWatermark: int64
 *   logStartOffset: int64
 *   logEndOffset: int64
 *   divergingEpoch?: { epoch: int32, endOffset: int64 }
 * ```
 * Errors (whole request): FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE (with `details.logStartOffset` and
 * `details.logEndOffset`), KAFKA_STORAGE_ERROR.
 *
 * @example
 * ```ts
 * decodeReplicaFetchRequest({ id: 1, op: "replicaFetch", topic: "orders", partition: 0, fetchOffset: 120,
 *   leaderEpoch: 4, lastFetchedEpoch: 4, maxBytes: 1048576, maxWaitMs: 500, replicaId: 3 });
 * ```
 * @module
 */
import type { ReplicaFetchRequest, ReplicaFetchResponse } from "../../core/replication/replica-transport.ts";
import { openRequest, type RequestId } from "../envelope.ts";
import { Fields, INT32_MAX, INT53_MAX } from "../fields.ts";
import { readTopicPartition } from "../topic-partitions.ts";

/**
 * A decoded `replicaFetch` request: the core's {@link ReplicaFetchRequest} in a request envelope.
 *
 * @example
 * ```ts
 * const request: ReplicaFetchOpRequest = decodeReplicaFetchRequest(frame);
 * ```
 */
export interface ReplicaFetchOpRequest extends ReplicaFetchRequest {
  id: RequestId;
  op: "replicaFetch";
}

/**
 * The reply to `replicaFetch`: the core's {@link ReplicaFetchResponse} with its request id and partition.
 *
 * @example
 * ```ts
 * const reply: ReplicaFetchOpResponse = decodeReplicaFetchResponse(frame);
 * ```
 */
export interface ReplicaFetchOpResponse extends ReplicaFetchResponse {
  id: RequestId;
  topic: string;
  partition: number;
}

/**
 * Validates a decoded `replicaFetch` frame.
 *
 * @example
 * ```ts
 * decodeReplicaFetchRequest({ id: 1, op: "replicaFetch", topic: "t", partition: 0, fetchOffset: -1 }); // throws INVALID_REQUEST
 * ```
 */
export function decodeReplicaFetchRequest(frame: unknown): ReplicaFetchOpRequest {
  const { id, fields } = openRequest(frame, "replicaFetch");
  return {
    id,
    op: "replicaFetch",
    ...readTopicPartition(fields),
    fetchOffset: fields.int("fetchOffset", 0, INT53_MAX),
    leaderEpoch: fields.int("leaderEpoch", -1, INT32_MAX),
    lastFetchedEpoch: fields.int("lastFetchedEpoch", -1, INT32_MAX),
    maxBytes: fields.int("maxBytes", 0, INT32_MAX),
    maxWaitMs: fields.int("maxWaitMs", 0, INT32_MAX),
    replicaId: fields.int("replicaId", 0, INT32_MAX),
  };
}

/**
 * Builds the reply to `replicaFetch`.
 *
 * @example
 * ```ts
 * replicaFetchResponse(1, { topic: "orders", partition: 0, batches, highWatermark: 110, logStartOffset: 0, logEndOffset: 118 });
 * ```
 */
export function replicaFetchResponse(id: RequestId, body: Omit<ReplicaFetchOpResponse, "id">): ReplicaFetchOpResponse {
  const reply: ReplicaFetchOpResponse = {
    id,
    topic: body.topic,
    partition: body.partition,
    batches: body.batches,
    highWatermark: body.highWatermark,
    logStartOffset: body.logStartOffset,
    logEndOffset: body.logEndOffset,
  };
  if (body.divergingEpoch !== undefined) reply.divergingEpoch = { epoch: body.divergingEpoch.epoch, endOffset: body.divergingEpoch.endOffset };
  return reply;
}

/**
 * Validates a leader's reply to `replicaFetch` (the follower's side); INVALID_REQUEST names a bad field.
 *
 * @example
 * ```ts
 * const reply = decodeReplicaFetchResponse(decodeFrame(message));
 * if (reply.divergingEpoch) truncate(reply.divergingEpoch);
 * ```
 */
export function decodeReplicaFetchResponse(frame: unknown): ReplicaFetchOpResponse {
  const fields = Fields.of(frame);
  const reply: ReplicaFetchOpResponse = {
    id: fields.int("id", 0, INT53_MAX),
    ...readTopicPartition(fields),
    batches: fields.bytes("batches"),
    highWatermark: fields.int("highWatermark", -1, INT53_MAX),
    logStartOffset: fields.int("logStartOffset", 0, INT53_MAX),
    logEndOffset: fields.int("logEndOffset", 0, INT53_MAX),
  };
  if (fields.has("divergingEpoch")) {
    const diverging = fields.map("divergingEpoch");
    reply.divergingEpoch = { epoch: diverging.int("epoch", -1, INT32_MAX), endOffset: diverging.int("endOffset", -1, INT53_MAX) };
  }
  return reply;
}
