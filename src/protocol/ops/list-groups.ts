/**
 * `listGroups`: the consumer groups the broker knows (Kafka's ListGroups), optionally only those in
 * some states. A group exists while it has members or committed offsets.
 *
 * ```
 * ListGroupsRequest =>
 *   id: uint
 *   op: "listGroups"
 *   states?: [GroupState]            absent: every state
 *
 * ListGroupsResponse =>
 *   id: uint
 *   groups: [{ groupId: string, state: GroupState, protocolType: "consumer" }]    sorted by groupId
 *
 * GroupState => "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead"
 * ```
 *
 * @example
 * ```ts
 * decodeListGroupsRequest({ id: 24, op: "listGroups", states: ["Stable", "Empty"] });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { invalidField } from "../fields.ts";

/**
 * The state of a consumer group, by the names Kafka's tools print.
 *
 * @example
 * ```ts
 * const state: GroupState = "Stable";
 * ```
 */
export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable" | "Dead";

/**
 * Every group state, in lifecycle order.
 *
 * @example
 * ```ts
 * GROUP_STATE_NAMES.includes("Empty"); // true
 * ```
 */
export const GROUP_STATE_NAMES: readonly GroupState[] = Object.freeze(["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"]);

/** A decoded `listGroups` request. */
export interface ListGroupsRequest {
  id: RequestId;
  op: "listGroups";
  states: GroupState[] | undefined;
}

/** One group of the listing. */
export interface WireGroupListing {
  groupId: string;
  state: GroupState;
  protocolType: "consumer";
}

/** The reply to `listGroups`. */
export interface ListGroupsResponse {
  id: RequestId;
  groups: WireGroupListing[];
}

/**
 * Validates a decoded `listGroups` frame.
 *
 * @example
 * ```ts
 * decodeListGroupsRequest({ id: 24, op: "listGroups", states: ["Rebalancing"] }); // throws naming states[0]
 * ```
 */
export function decodeListGroupsRequest(frame: unknown): ListGroupsRequest {
  const { id, fields } = openRequest(frame, "listGroups");
  const states = fields.optionalList("states", (value, path) => {
    if (!GROUP_STATE_NAMES.includes(value as GroupState)) throw invalidField(path, `one of ${GROUP_STATE_NAMES.join(", ")}`, value);
    return value as GroupState;
  });
  return { id, op: "listGroups", states };
}

/**
 * Builds the reply to `listGroups`.
 *
 * @example
 * ```ts
 * listGroupsResponse(req.id, [{ groupId: "billing", state: "Stable", protocolType: "consumer" }]);
 * ```
 */
export function listGroupsResponse(id: RequestId, groups: WireGroupListing[]): ListGroupsResponse {
  return { id, groups };
}
