/**
 * `describeGroups`: each group's state, assignor, epochs and members (id, client id, host,
 * assignment) from the coordinator; an unknown group is `Dead` with GROUP_ID_NOT_FOUND.
 *
 * ```
 * DescribeGroupsRequest  => { id, op: "describeGroups", groupIds }
 * DescribeGroupsResponse => { id, groups: [{ groupId, state, protocolType, assignor, groupEpoch, assignmentEpoch, members, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleDescribeGroups({ id: 25, op: "describeGroups", groupIds: ["g"] }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { toWireError } from "../../protocol/envelope.ts";
import { describeGroupsResponse, type DescribeGroupsRequest, type WireGroupDescription } from "../../protocol/ops/describe-groups.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `describeGroups`.
 *
 * @example
 * ```ts
 * HANDLERS.describeGroups = handleDescribeGroups;
 * ```
 */
export const handleDescribeGroups: Handler<DescribeGroupsRequest> = async (request, { broker }) => {
  const groups = broker.groups.coordinator.describeGroups(request.groupIds).map(({ error, ...group }): WireGroupDescription => {
    if (error === undefined) return group;
    return { ...group, error: toWireError(new EdgelogError(error, `Group ${group.groupId} does not exist`)) };
  });
  return describeGroupsResponse(request.id, groups);
};
