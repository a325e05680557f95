/**
 * `deleteGroups`: deletes groups without members and their committed offsets (tombstones in
 * `__consumer_offsets`); each group succeeds or fails on its own.
 *
 * ```
 * DeleteGroupsRequest  => { id, op: "deleteGroups", groupIds }
 * DeleteGroupsResponse => { id, groups: [{ groupId, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleDeleteGroups({ id: 26, op: "deleteGroups", groupIds: ["g"] }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { toWireError } from "../../protocol/envelope.ts";
import { deleteGroupsResponse, type DeleteGroupOutcome, type DeleteGroupsRequest } from "../../protocol/ops/delete-groups.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `deleteGroups`.
 *
 * @example
 * ```ts
 * HANDLERS.deleteGroups = handleDeleteGroups;
 * ```
 */
export const handleDeleteGroups: Handler<DeleteGroupsRequest> = async (request, { broker }) => {
  const results = await broker.groups.coordinator.deleteGroups(request.groupIds);
  const groups = results.map(({ groupId, error, message }): DeleteGroupOutcome => {
    if (error === undefined) {
      broker.logger("info", `Deleted consumer group ${groupId}`);
      return { groupId };
    }
    return { groupId, error: toWireError(new EdgelogError(error, message ?? `Group ${groupId} could not be deleted`)) };
  });
  return deleteGroupsResponse(request.id, groups);
};
