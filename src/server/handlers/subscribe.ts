/**
 * `subscribe`: starts a push stream of one partition from an offset, the earliest or latest offset,
 * or the first offset at or after a timestamp, within the credit the client grants. The reply comes
 * first, then the pushes. An `{offset}` outside [logStartOffset, highWatermark] is
 * OFFSET_OUT_OF_RANGE; a connection holding `edgelog.max.subscriptions.per.connection`
 * subscriptions gets RESOURCE_LIMIT_EXCEEDED. In a cluster only the partition's leader serves it
 * (NOT_LEADER_OR_FOLLOWER elsewhere, also as the error push of a subscription whose broker stops leading).
 *
 * ```
 * SubscribeRequest  => { id, op: "subscribe", topic, partition, from, credit: { records, bytes }, format?, valueEncoding? }
 * SubscribeResponse => { id, sub, topic, partition, offset, highWatermark, logStartOffset }
 * ```
 *
 * @example
 * ```ts
 * await handleSubscribe({ id: 13, op: "subscribe", topic: "orders", partition: 0, from: "earliest", credit: { records: 100, bytes: 1 << 20 }, format: "records", valueEncoding: "utf8" }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import type { PartitionLog } from "../../core/log/partition-log.ts";
import { subscribeResponse, type SubscribeFrom, type SubscribeRequest } from "../../protocol/ops/subscribe.ts";
import { Subscription } from "../subscription.ts";
import type { Handler } from "./handler.ts";

/**
 * The config key of the subscription limit, named in RESOURCE_LIMIT_EXCEEDED details.
 *
 * @example
 * ```ts
 * if (error.details?.limit === SUBSCRIPTIONS_KEY) console.warn("too many subscriptions");
 * ```
 */
export const SUBSCRIPTIONS_KEY = "edgelog.max.subscriptions.per.connection";

/**
 * Answers `subscribe` and starts pushing once the reply is sent.
 *
 * @example
 * ```ts
 * HANDLERS.subscribe = handleSubscribe;
 * ```
 */
export const handleSubscribe: Handler<SubscribeRequest> = async (request, scope) => {
  const { broker, session } = scope;
  const { topic, partition } = request;
  const log = broker.leaderLog(topic, partition);
  const position = await startPosition(log, request.from);
  const limit = broker.config.maxSubscriptionsPerConnection;
  if (session.subscriptions.size >= limit) {
    throw new EdgelogError("RESOURCE_LIMIT_EXCEEDED", `This connection already holds ${limit} subscriptions`, {
      details: { limit: SUBSCRIPTIONS_KEY, value: limit },
    });
  }
  if (session.signal.aborted) throw new EdgelogError("NETWORK_EXCEPTION", "The connection is closing");
  const subscription = new Subscription({
    id: session.nextSubscriptionId(),
    topic,
    partition,
    position,
    credit: request.credit,
    format: scope.format,
    recordFormat: request.format,
    valueEncoding: request.valueEncoding,
    broker,
    session,
  });
  session.subscriptions.set(subscription.id, subscription);
  scope.afterReply(() => subscription.start());
  return subscribeResponse(request.id, {
    sub: subscription.id,
    topic,
    partition,
    offset: position,
    highWatermark: log.highWatermark,
    logStartOffset: log.logStartOffset,
  });
};

async function startPosition(log: PartitionLog, from: SubscribeFrom): Promise<number> {
  if (from === "earliest") return log.logStartOffset;
  if (from === "latest") return log.highWatermark;
  if ("timestamp" in from) {
    const found = await log.offsetForTimestamp(from.timestamp);
    return found ? found.offset : log.highWatermark;
  }
  const { offset } = from;
  if (offset < log.logStartOffset || offset > log.highWatermark) {
    throw new EdgelogError(
      "OFFSET_OUT_OF_RANGE",
      `Offset ${offset} is out of range for ${log.topic}-${log.partition}: [${log.logStartOffset}, ${log.highWatermark}]`,
      { details: { logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset } },
    );
  }
  return offset;
}
