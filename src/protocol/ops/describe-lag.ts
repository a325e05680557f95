/**
 * `describeLag`: what `kafka-consumer-groups --describe --group <g>` prints, per group: for each
 * partition the group consumes or has an offset for, the committed offset (CURRENT-OFFSET), the
 * log end (LOG-END-OFFSET: the high watermark), LAG, and the member that owns it (CONSUMER-ID,
 * HOST, CLIENT-ID). A member that owns nothing gets a row without topic and partition; `null` is
 * what the tool prints as "-".
 *
 * ```
 * DescribeLagRequest =>
 *   id: uint
 *   op: "describeLag"
 *   groupIds: [string]               at least one; no id twice
 *
 * DescribeLagResponse =>
 *   id: uint
 *   groups: [{                       in request order
 *     groupId: string
 *     state: GroupState
 *     rows: [{                       by topic and partition, then members without partitions
 *       topic: string | null
 *       partition: int32 | null
 *       currentOffset: int64 | null  the committed offset; null: none
 *       logEndOffset: int64 | null
 *       lag: int64 | null            logEndOffset − currentOffset
 *       consumerId: string | null    the owning member's id; null: no member owns it
 *       host: string | null
 *       clientId: string | null
 *     }]
 *     error?: WireError              GROUP_ID_NOT_FOUND (state "Dead", no rows), INVALID_GROUP_ID
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeDescribeLagRequest({ id: 28, op: "describeLag", groupIds: ["billing"] });
 * ```
 * @module
 */
import type { LagRow } from "../../core/group/lag.ts";
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { readString, rejectDuplicates } from "../fields.ts";
import type { GroupState } from "./list-groups.ts";

/** A decoded `describeLag` request. */
export interface DescribeLagRequest {
  id: RequestId;
  op: "describeLag";
  groupIds: string[];
}

/** One row of `kafka-consumer-groups --describe`: the core's {@link LagRow}. */
export type WireLagRow = LagRow;

/** The lag of one group. */
export interface WireGroupLag {
  groupId: string;
  state: GroupState;
  rows: WireLagRow[];
  error?: WireError;
}

/** The reply to `describeLag`. */
export interface DescribeLagResponse {
  id: RequestId;
  groups: WireGroupLag[];
}

/**
 * Validates a decoded `describeLag` frame.
 *
 * @example
 * ```ts
 * decodeDescribeLagRequest({ id: 28, op: "describeLag", groupIds: "billing" }); // throws naming groupIds
 * ```
 */
export function decodeDescribeLagRequest(frame: unknown): DescribeLagRequest {
  const { id, fields } = openRequest(frame, "describeLag");
  const groupIds = fields.list("groupIds", readString, 1);
  rejectDuplicates(groupIds, "groupIds");
  return { id, op: "describeLag", groupIds };
}

/**
 * Builds the reply to `describeLag`.
 *
 * @example
 * ```ts
 * describeLagResponse(req.id, [{ groupId: "g", state: "Stable", rows: [{ topic: "t", partition: 0, currentOffset: 35, logEndOffset: 35, lag: 0, consumerId: "c-1", host: "/172.20.0.1", clientId: "c" }] }]);
 * ```
 */
export function describeLagResponse(id: RequestId, groups: WireGroupLag[]): DescribeLagResponse {
  return { id, groups };
}
