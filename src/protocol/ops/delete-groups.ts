/**
 * `deleteGroups`: deletes consumer groups and their committed offsets (Kafka's DeleteGroups). Only
 * a group without members can be deleted; each group succeeds or fails on its own.
 *
 * ```
 * DeleteGroupsRequest =>
 *   id: uint
 *   op: "deleteGroups"
 *   groupIds: [string]               at least one; no id twice
 *
 * DeleteGroupsResponse =>
 *   id: uint
 *   groups: [{ groupId: string, error?: WireError }]    GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, INVALID_GROUP_ID
 * ```
 *
 * @example
 * ```ts
 * decodeDeleteGroupsRequest({ id: 26, op: "deleteGroups", groupIds: ["billing"] });
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { readString, rejectDuplicates } from "../fields.ts";

/** A decoded `deleteGroups` request. */
export interface DeleteGroupsRequest {
  id: RequestId;
  op: "deleteGroups";
  groupIds: string[];
}

/** The outcome for one group. */
export interface DeleteGroupOutcome {
  groupId: string;
  error?: WireError;
}

/** The reply to `deleteGroups`. */
export interface DeleteGroupsResponse {
  id: RequestId;
  groups: DeleteGroupOutcome[];
}

/**
 * Validates a decoded `deleteGroups` frame.
 *
 * @example
 * ```ts
 * decodeDeleteGroupsRequest({ id: 26, op: "deleteGroups", groupIds: ["g", "g"] }); // throws naming groupIds[1]
 * ```
 */
export function decodeDeleteGroupsRequest(frame: unknown): DeleteGroupsRequest {
  const { id, fields } = openRequest(frame, "deleteGroups");
  const groupIds = fields.list("groupIds", readString, 1);
  rejectDuplicates(groupIds, "groupIds");
  return { id, op: "deleteGroups", groupIds };
}

/**
 * Builds the reply to `deleteGroups`.
 *
 * @example
 * ```ts
 * deleteGroupsResponse(req.id, [{ groupId: "billing" }]);
 * ```
 */
export function deleteGroupsResponse(id: RequestId, groups: DeleteGroupOutcome[]): DeleteGroupsResponse {
  return { id, groups };
}
