/**
 * `groupHeartbeat`: one ConsumerGroupHeartbeat of the coordinator (join, heartbeat, leave). The
 * member's host is the connection's remote address as Kafka prints it (`/10.0.0.7`); its client id
 * is the request's, else the one `hello` gave. The member is linked to this connection, so that
 * assignment changes between its heartbeats are pushed here, and its group subscription follows
 * the answered assignment (revoked streams stop before the reply, new ones start after it).
 *
 * ```
 * GroupHeartbeatRequest  => { id, op: "groupHeartbeat", groupId, memberId?, memberEpoch, instanceId?, clientId?, subscribedTopics?,
 *                             subscribedPattern?, assignor?, ownedPartitions?, sessionTimeoutMs?, rebalanceTimeoutMs? }
 * GroupHeartbeatResponse => { id, groupId, memberId, memberEpoch, heartbeatIntervalMs, assignment }
 * ```
 *
 * @example
 * ```ts
 * await handleGroupHeartbeat(decodeGroupHeartbeatRequest({ id: 20, op: "groupHeartbeat", groupId: "g", memberEpoch: 0, subscribedTopics: ["t"] }), scope);
 * ```
 * @module
 */
import type { HeartbeatRequest } from "../../core/group/coordinator-types.ts";
import { groupHeartbeatResponse, type GroupHeartbeatRequest } from "../../protocol/ops/group-heartbeat.ts";
import type { SessionScope } from "../session-scope.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `groupHeartbeat`.
 *
 * @example
 * ```ts
 * HANDLERS.groupHeartbeat = handleGroupHeartbeat;
 * ```
 */
export const handleGroupHeartbeat: Handler<GroupHeartbeatRequest> = async (request, scope) => {
  const { broker, session, format } = scope;
  const { coordinator, members } = broker.groups;
  const heartbeat: HeartbeatRequest = {
    groupId: request.groupId,
    memberEpoch: request.memberEpoch,
    clientId: request.clientId ?? session.clientId ?? "",
    host: memberHost(session),
  };
  if (request.memberId !== undefined) heartbeat.memberId = request.memberId;
  if (request.instanceId !== undefined) heartbeat.instanceId = request.instanceId;
  if (request.subscribedTopics !== undefined) heartbeat.subscribedTopics = request.subscribedTopics;
  if (request.subscribedPattern !== undefined) heartbeat.subscribedPattern = request.subscribedPattern;
  if (request.assignor !== undefined) heartbeat.assignor = request.assignor;
  if (request.ownedPartitions !== undefined) heartbeat.ownedPartitions = request.ownedPartitions;
  if (request.sessionTimeoutMs !== undefined) heartbeat.sessionTimeoutMs = request.sessionTimeoutMs;
  if (request.rebalanceTimeoutMs !== undefined) heartbeat.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
  const { response, afterReply } = members.heartbeat(session, format, request.groupId, () => coordinator.heartbeat(heartbeat));
  scope.afterReply(afterReply);
  return groupHeartbeatResponse(request.id, { groupId: request.groupId, ...response });
};

/**
 * A member's host as Kafka's tools print it: the connection's remote address after a slash, or ""
 * when the runtime did not tell it.
 *
 * @example
 * ```ts
 * memberHost(session); // "/127.0.0.1"
 * ```
 */
export function memberHost(session: SessionScope): string {
  return session.remoteAddress === undefined || session.remoteAddress === "" ? "" : `/${session.remoteAddress}`;
}
