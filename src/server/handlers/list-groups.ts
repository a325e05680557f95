/**
 * `listGroups`: the coordinator's groups, optionally filtered by state.
 *
 * ```
 * ListGroupsRequest  => { id, op: "listGroups", states? }
 * ListGroupsResponse => { id, groups: [{ groupId, state, protocolType }] }
 * ```
 *
 * @example
 * ```ts
 * await handleListGroups({ id: 24, op: "listGroups", states: undefined }, scope);
 * ```
 * @module
 */
import { listGroupsResponse, type ListGroupsRequest } from "../../protocol/ops/list-groups.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `listGroups`.
 *
 * @example
 * ```ts
 * HANDLERS.listGroups = handleListGroups;
 * ```
 */
export const handleListGroups: Handler<ListGroupsRequest> = async (request, { broker }) => {
  const groups = broker.groups.coordinator.listGroups(request.states === undefined ? undefined : { states: request.states });
  return listGroupsResponse(request.id, groups);
};
