/**
 * Frames the broker pushes without a request. A push has no `id`; its `push` field names the kind
 * and `sub` the subscription (the `assignment` push, which concerns a group member, has none).
 *
 * ```
 * RecordsPush =>
 *   push: "records"
 *   sub: uint
 *   topic: string
 *   partition: int32
 *   batches: bytes           one or more whole stored RecordBatch v2, concatenated
 *   firstOffset: int64       the subscription's position: skip records of the first batch below it
 *   nextOffset: int64        the position after these batches (last batch's last offset + 1)
 *   highWatermark: int64
 *   logStartOffset: int64
 *
 * RecordViewsPush =>         a subscription with format "records": the same, with `records` instead
 *   records: [RecordView]    of `batches`: those batches' records from `firstOffset` on (record-view.ts)
 *
 * ErrorPush =>               the subscription has ended; its id is free
 *   push: "error"
 *   sub: uint
 *   error: WireError         OFFSET_OUT_OF_RANGE (retention removed the position), UNKNOWN_TOPIC_OR_PARTITION
 *                            (topic deleted), NOT_LEADER_OR_FOLLOWER (leadership moved), KAFKA_STORAGE_ERROR
 *   logStartOffset?: int64   with OFFSET_OUT_OF_RANGE: where the log now starts
 *   topic?: string           a group subscription's partition stream ended; the group
 *   partition?: int32        subscription and its other partitions go on
 *
 * AssignmentPush =>          a group member's assignment changed (between its heartbeats)
 *   push: "assignment"
 *   groupId: string
 *   memberId: string
 *   memberEpoch: int32       -1: the member is no longer in the group (it must rejoin with epoch 0)
 *   assignment: [{ topic: string, partitions: [int32] }]    everything the member owns now
 * ```
 *
 * @example
 * ```ts
 * import { errorPush, recordsPush } from "./push.ts";
 * send(recordsPush({ sub: 1, topic: "t", partition: 0, batches, firstOffset: 5, nextOffset: 10, highWatermark: 10, logStartOffset: 0 }));
 * send(errorPush(1, new EdgelogError("OFFSET_OUT_OF_RANGE", "Offset 3 was deleted by retention"), 40));
 * ```
 * @module
 */
import { toWireError, type WireError } from "./envelope.ts";
import { isPlainMap } from "./fields.ts";
import type { RecordView } from "./record-view.ts";
import type { WireTopicPartitions } from "./topic-partitions.ts";

/** Records pushed to a subscription with format "batches" (the default). */
export interface RecordsPush {
  push: "records";
  sub: number;
  topic: string;
  partition: number;
  batches: Uint8Array;
  firstOffset: number;
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

/**
 * Records pushed to a subscription with format "records": the fields of {@link RecordsPush}, with
 * the records of the batches carried, from `firstOffset` on, instead of their bytes.
 *
 * @example
 * ```ts
 * const push: RecordViewsPush = recordsPush({ sub: 1, topic: "t", partition: 0, records: [], firstOffset: 0, nextOffset: 1, highWatermark: 1, logStartOffset: 0 });
 * ```
 */
export interface RecordViewsPush extends Omit<RecordsPush, "batches"> {
  records: RecordView[];
}

/**
 * The end of a subscription by the broker, with the reason. With `topic` and `partition` (group
 * subscriptions only) it ends just that partition's stream.
 */
export interface ErrorPush {
  push: "error";
  sub: number;
  error: WireError;
  logStartOffset?: number;
  topic?: string;
  partition?: number;
}

/**
 * A group member's new assignment, pushed when the coordinator changes it between heartbeats.
 *
 * @example
 * ```ts
 * const push: AssignmentPush = assignmentPush({ groupId: "g", memberId: "c-1", memberEpoch: 4, assignment: [{ topic: "t", partitions: [0] }] });
 * ```
 */
export interface AssignmentPush {
  push: "assignment";
  groupId: string;
  memberId: string;
  memberEpoch: number;
  assignment: WireTopicPartitions[];
}

/**
 * Any frame the broker sends without a request to a subscription of the default format "batches".
 * A subscription with format "records" gets {@link RecordViewsPush} in place of {@link RecordsPush}.
 */
export type PushFrame = RecordsPush | ErrorPush;

/**
 * Builds a records push, with `batches` or, for format "records", `records`.
 *
 * @example
 * ```ts
 * recordsPush({ sub, topic, partition, batches, firstOffset, nextOffset, highWatermark, logStartOffset });
 * recordsPush({ sub, topic, partition, records, firstOffset, nextOffset, highWatermark, logStartOffset });
 * ```
 */
export function recordsPush(body: Omit<RecordsPush, "push">): RecordsPush;
export function recordsPush(body: Omit<RecordViewsPush, "push">): RecordViewsPush;
export function recordsPush(body: Omit<RecordsPush, "push"> | Omit<RecordViewsPush, "push">): RecordsPush | RecordViewsPush;
export function recordsPush(body: Omit<RecordsPush, "push"> | Omit<RecordViewsPush, "push">): RecordsPush | RecordViewsPush {
  return { push: "records", ...body };
}

/**
 * Builds the push that ends a subscription with an error; `logStartOffset` goes with OFFSET_OUT_OF_RANGE.
 *
 * @example
 * ```ts
 * errorPush(1, new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "Topic orders was deleted"));
 * ```
 */
export function errorPush(sub: number, error: unknown, logStartOffset?: number): ErrorPush {
  const frame: ErrorPush = { push: "error", sub, error: toWireError(error) };
  if (logStartOffset !== undefined) frame.logStartOffset = logStartOffset;
  return frame;
}

/**
 * Builds the push that ends one partition's stream of a group subscription; the group subscription
 * goes on.
 *
 * @example
 * ```ts
 * partitionErrorPush(3, "t", 0, new EdgelogError("OFFSET_OUT_OF_RANGE", "Undefined offset with no reset policy for partitions: [t-0]"));
 * ```
 */
export function partitionErrorPush(sub: number, topic: string, partition: number, error: unknown, logStartOffset?: number): ErrorPush {
  return { ...errorPush(sub, error, logStartOffset), topic, partition };
}

/**
 * Builds the push of a group member's new assignment.
 *
 * @example
 * ```ts
 * session.send(assignmentPush({ groupId, memberId, memberEpoch, assignment }), format);
 * ```
 */
export function assignmentPush(body: Omit<AssignmentPush, "push">): AssignmentPush {
  return { push: "assignment", ...body };
}

/**
 * Whether a received frame is a push rather than a reply: it is a map with a string `push` field.
 *
 * @example
 * ```ts
 * if (isPushFrame(frame)) routeToSubscription(frame); else resolvePending(frame);
 * ```
 */
export function isPushFrame(frame: unknown): boolean {
  return isPlainMap(frame) && Object.hasOwn(frame, "push") && typeof frame["push"] === "string";
}
