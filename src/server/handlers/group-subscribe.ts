/**
 * `groupSubscribe`: starts a group subscription for a member that heartbeats on this connection:
 * the push streams of its assigned partitions, under one subscription id and one credit pool,
 * following its assignment (`../group-subscription.ts`). The reply comes first, then the pushes.
 *
 * ```
 * GroupSubscribeRequest  => { id, op: "groupSubscribe", groupId, memberId, credit: { records, bytes }, autoOffsetReset?, format?, valueEncoding? }
 * GroupSubscribeResponse => { id, sub, groupId, memberId, assignment }
 * ```
 *
 * @example
 * ```ts
 * await handleGroupSubscribe(decodeGroupSubscribeRequest({ id: 21, op: "groupSubscribe", groupId: "g", memberId, credit: { records: 100, bytes: 1 << 20 } }), scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import type { GroupCoordinator } from "../../core/group/group-coordinator.ts";
import { groupSubscribeResponse, type GroupSubscribeRequest } from "../../protocol/ops/group-subscribe.ts";
import type { WireTopicPartitions } from "../../protocol/topic-partitions.ts";
import { GroupSubscription } from "../group-subscription.ts";
import type { Handler } from "./handler.ts";
import { SUBSCRIPTIONS_KEY } from "./subscribe.ts";

/**
 * Answers `groupSubscribe` and starts the streams once the reply is sent.
 *
 * @example
 * ```ts
 * HANDLERS.groupSubscribe = handleGroupSubscribe;
 * ```
 */
export const handleGroupSubscribe: Handler<GroupSubscribeRequest> = async (request, scope) => {
  const { broker, session } = scope;
  const { groupId, memberId } = request;
  const link = broker.groups.members.linkOn(session, groupId, memberId);
  if (link.subscription !== undefined && !link.subscription.stopped) {
    throw new EdgelogError("INVALID_REQUEST", `Member ${memberId} already has group subscription ${link.subscription.id} on this connection`);
  }
  const limit = broker.config.maxSubscriptionsPerConnection;
  if (session.subscriptions.size >= limit) {
    throw new EdgelogError("RESOURCE_LIMIT_EXCEEDED", `This connection already holds ${limit} subscriptions`, {
      details: { limit: SUBSCRIPTIONS_KEY, value: limit },
    });
  }
  const member = broker.groups.coordinator.describeGroups([groupId])[0]?.members.find((m) => m.memberId === memberId);
  if (member === undefined) throw new EdgelogError("UNKNOWN_MEMBER_ID", `Member ${memberId} is not a member of group ${groupId}.`);
  const subscription: GroupSubscription = new GroupSubscription({
    id: session.nextSubscriptionId(),
    groupId,
    memberId,
    credit: request.credit,
    autoOffsetReset: request.autoOffsetReset,
    format: scope.format,
    recordFormat: request.format,
    valueEncoding: request.valueEncoding,
    broker,
    session,
    onStop: () => {
      if (link.subscription === subscription) link.subscription = undefined;
    },
  });
  session.subscriptions.set(subscription.id, subscription);
  link.subscription = subscription;
  // The assignment may change before the reply is sent: the streams start with the one current then.
  scope.afterReply(() => subscription.start(assignmentOf(broker.groups.coordinator, groupId, memberId)));
  return groupSubscribeResponse(request.id, { sub: subscription.id, groupId, memberId, assignment: member.assignment });
};

function assignmentOf(coordinator: GroupCoordinator, groupId: string, memberId: string): WireTopicPartitions[] {
  return coordinator.describeGroups([groupId])[0]?.members.find((m) => m.memberId === memberId)?.assignment ?? [];
}
