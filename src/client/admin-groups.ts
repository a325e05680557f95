/**
 * The consumer-group ops of the admin client: list, describe (members, lag), delete groups and
 * reset their offsets. A group the broker does not know is described as `Dead` rather than
 * rejected, as Kafka's admin client does. {@link Admin} documents each one; these functions do the
 * work behind its methods.
 *
 * @example
 * ```ts
 * const { groups } = await describeLag(requests, ["billing"]);
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import type {
  DeleteGroupsResponse,
  DescribeGroupsResponse,
  DescribeLagResponse,
  ListGroupsResponse,
  ResetOffsetsResponse,
  WireError,
  WireGroupDescription,
  WireGroupLag,
  WireGroupListing,
  WirePlannedOffset,
} from "../protocol/index.ts";
import type { Admin } from "./admin.ts";
import { type AdminRequests, itemError, list } from "./admin-request.ts";

/**
 * {@link Admin.listGroups}: the groups the broker knows, sorted by id, optionally of some states.
 *
 * @example
 * ```ts
 * (await listGroups(requests, { states: ["Stable"] })).groups;
 * ```
 */
export async function listGroups(requests: AdminRequests, options: Parameters<Admin["listGroups"]>[0] = {}): Promise<{ groups: WireGroupListing[] }> {
  const reply = await requests.call<ListGroupsResponse>("listGroups", options.states === undefined ? {} : { states: options.states });
  return { groups: reply.groups };
}

/**
 * {@link Admin.describeGroups}: groups in the order asked; an unknown group comes back `Dead`.
 *
 * @example
 * ```ts
 * const { groups } = await describeGroups(requests, ["billing"]);
 * ```
 */
export async function describeGroups(requests: AdminRequests, groupIds: string[]): Promise<{ groups: Omit<WireGroupDescription, "error">[] }> {
  const reply = await requests.call<DescribeGroupsResponse>("describeGroups", { groupIds: list(groupIds, "describeGroups() groupIds") });
  return { groups: reply.groups.map((g) => withoutNotFound(g)) };
}

/**
 * {@link Admin.describeLag}: per group, one row per partition as `kafka-consumer-groups --describe` prints.
 *
 * @example
 * ```ts
 * const { groups } = await describeLag(requests, ["billing"]);
 * groups[0]!.rows;
 * ```
 */
export async function describeLag(requests: AdminRequests, groupIds: string[]): Promise<{ groups: Omit<WireGroupLag, "error">[] }> {
  const reply = await requests.call<DescribeLagResponse>("describeLag", { groupIds: list(groupIds, "describeLag() groupIds") });
  return { groups: reply.groups.map((g) => withoutNotFound(g)) };
}

/**
 * {@link Admin.deleteGroups}: the outcome of each group, its `error` when it failed.
 *
 * @example
 * ```ts
 * await deleteGroups(requests, ["billing"]); // [{ groupId: "billing" }]
 * ```
 */
export async function deleteGroups(requests: AdminRequests, groupIds: string[]): Promise<{ groupId: string; error?: EdgelogError }[]> {
  const reply = await requests.call<DeleteGroupsResponse>("deleteGroups", { groupIds: list(groupIds, "deleteGroups() groupIds") });
  return reply.groups.map((g) => (g.error === undefined ? { groupId: g.groupId } : { groupId: g.groupId, error: itemError(g.error, { groupId: g.groupId }) }));
}

/**
 * {@link Admin.resetOffsets}: plans (and with `execute`, commits) new offsets of a group's partitions.
 *
 * @example
 * ```ts
 * await resetOffsets(requests, { groupId: "billing", spec: { type: "to-earliest" }, execute: true });
 * ```
 */
export async function resetOffsets(
  requests: AdminRequests,
  request: Parameters<Admin["resetOffsets"]>[0],
): Promise<{ groupId: string; executed: boolean; partitions: WirePlannedOffset[] }> {
  if (request === null || typeof request !== "object" || typeof request.groupId !== "string") throw new TypeError("resetOffsets() needs { groupId, spec }");
  const body: Record<string, unknown> = { groupId: request.groupId, spec: request.spec, execute: request.execute ?? false, force: request.force ?? false };
  if (request.topics !== undefined) body["topics"] = list(request.topics, "resetOffsets() topics");
  const reply = await requests.call<ResetOffsetsResponse>("resetOffsets", body);
  return { groupId: reply.groupId, executed: reply.executed, partitions: reply.partitions };
}

/** A group answer without its error: GROUP_ID_NOT_FOUND stays a `Dead` group; other errors throw. */
function withoutNotFound<T extends { groupId: string; error?: WireError }>(group: T): Omit<T, "error"> {
  const { error, ...rest } = group;
  if (error !== undefined && error.code !== "GROUP_ID_NOT_FOUND") throw itemError(error, { groupId: group.groupId });
  return rest;
}
