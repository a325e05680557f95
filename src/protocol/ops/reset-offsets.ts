/**
 * `resetOffsets`: `kafka-consumer-groups --reset-offsets` as one op: works out new committed
 * offsets of a group's partitions by a scenario and, with `execute`, commits them. Without
 * `execute` it is a dry run that only answers the plan (the tool's default). As Kafka, it is refused
 * while the group has members, unless `force` is set (the members keep consuming from their own
 * positions and may commit over the reset). Offsets past the log are clamped to it, with Kafka's
 * warning.
 *
 * ```
 * ResetOffsetsRequest =>
 *   id: uint
 *   op: "resetOffsets"
 *   groupId: string
 *   topics?: [{ topic: string, partitions?: [int32] }]   absent: every partition with a committed offset (--all-topics)
 *   spec: { type: "to-earliest" } | { type: "to-latest" } | { type: "to-current" }
 *       | { type: "to-offset", offset: int64 ≥ 0 } | { type: "shift-by", shift: int64 }
 *       | { type: "to-datetime", timestamp: int64 } | { type: "by-duration", durationMs: int64 ≥ 0 }
 *   execute?: bool = false           false: dry run
 *   force?: bool = false             reset even while the group has members
 *
 * ResetOffsetsResponse =>
 *   id: uint
 *   groupId: string
 *   executed: bool
 *   partitions: [{
 *     topic: string
 *     partition: int32
 *     previousOffset: int64 | null   the committed offset before, null when none
 *     newOffset: int64
 *     warning?: string               the offset was clamped to the log, or no record matched the time
 *   }]
 * ```
 * Errors: NON_EMPTY_GROUP (`details.state`), INVALID_GROUP_ID, UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_REQUEST (shift-by on a partition without a committed offset), COORDINATOR_LOAD_IN_PROGRESS.
 *
 * @example
 * ```ts
 * decodeResetOffsetsRequest({ id: 27, op: "resetOffsets", groupId: "billing", topics: [{ topic: "orders" }],
 *   spec: { type: "shift-by", shift: -10 }, execute: true });
 * ```
 * @module
 */
import type { PlannedOffset, ResetOffsetsSpec } from "../../core/group/reset-offsets.ts";
import { openRequest, type RequestId } from "../envelope.ts";
import { type Fields, INT53_MAX } from "../fields.ts";
import { readPartitionsQueries, type WirePartitionsQuery } from "../topic-partitions.ts";

/** A reset scenario, named as the tool's options: the core's {@link ResetOffsetsSpec}. */
export type WireResetSpec = ResetOffsetsSpec;

/** A decoded `resetOffsets` request. */
export interface ResetOffsetsRequest {
  id: RequestId;
  op: "resetOffsets";
  groupId: string;
  topics: WirePartitionsQuery[] | undefined;
  spec: WireResetSpec;
  execute: boolean;
  force: boolean;
}

/** The new offset of one partition: the core's {@link PlannedOffset}. */
export type WirePlannedOffset = PlannedOffset;

/** The reply to `resetOffsets`. */
export interface ResetOffsetsResponse {
  id: RequestId;
  groupId: string;
  executed: boolean;
  partitions: WirePlannedOffset[];
}

const SPEC_TYPES = '"to-earliest", "to-latest", "to-current", "to-offset", "shift-by", "to-datetime" or "by-duration"';

/**
 * Validates a decoded `resetOffsets` frame.
 *
 * @example
 * ```ts
 * decodeResetOffsetsRequest({ id: 27, op: "resetOffsets", groupId: "g", spec: { type: "to-offset" } }); // throws naming spec.offset
 * ```
 */
export function decodeResetOffsetsRequest(frame: unknown): ResetOffsetsRequest {
  const { id, fields } = openRequest(frame, "resetOffsets");
  return {
    id,
    op: "resetOffsets",
    groupId: fields.string("groupId"),
    topics: readPartitionsQueries(fields, "topics"),
    spec: readSpec(fields.map("spec")),
    execute: fields.optionalBoolean("execute", false),
    force: fields.optionalBoolean("force", false),
  };
}

/**
 * Builds the reply to `resetOffsets`.
 *
 * @example
 * ```ts
 * resetOffsetsResponse(req.id, { groupId: "g", executed: false, partitions: [{ topic: "t", partition: 0, previousOffset: 5, newOffset: 0 }] });
 * ```
 */
export function resetOffsetsResponse(id: RequestId, body: Omit<ResetOffsetsResponse, "id">): ResetOffsetsResponse {
  return { id, ...body };
}

function readSpec(spec: Fields): WireResetSpec {
  const type = spec.get("type");
  switch (type) {
    case "to-earliest":
    case "to-latest":
    case "to-current":
      return { type };
    case "to-offset":
      return { type, offset: spec.int("offset", 0, INT53_MAX) };
    case "shift-by":
      return { type, shift: spec.int("shift", -INT53_MAX, INT53_MAX) };
    case "to-datetime":
      return { type, timestamp: spec.int("timestamp", -INT53_MAX, INT53_MAX) };
    case "by-duration":
      return { type, durationMs: spec.int("durationMs", 0, INT53_MAX) };
    default:
      throw spec.fail("type", SPEC_TYPES);
  }
}
