/**
 * `unsubscribe`: ends a subscription; no push for it follows the reply. Answers the position to
 * resume from. An unknown or ended subscription is INVALID_REQUEST.
 *
 * ```
 * UnsubscribeRequest  => { id, op: "unsubscribe", sub }
 * UnsubscribeResponse => { id, sub, nextOffset }
 * ```
 *
 * @example
 * ```ts
 * await handleUnsubscribe({ id: 15, op: "unsubscribe", sub: 1 }, scope); // { id: 15, sub: 1, nextOffset: 120 }
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { unsubscribeResponse, type UnsubscribeRequest } from "../../protocol/ops/unsubscribe.ts";
import type { SessionScope, SessionSubscription } from "../session-scope.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `unsubscribe`.
 *
 * @example
 * ```ts
 * HANDLERS.unsubscribe = handleUnsubscribe;
 * ```
 */
export const handleUnsubscribe: Handler<UnsubscribeRequest> = async (request, { session }) => {
  const subscription = findSubscription(session, request.sub);
  return unsubscribeResponse(request.id, { sub: request.sub, nextOffset: subscription.stop() });
};

/**
 * A live subscription of the session; INVALID_REQUEST when there is none with that id.
 *
 * @example
 * ```ts
 * findSubscription(session, request.sub).grant(10, 1024);
 * ```
 */
export function findSubscription(session: SessionScope, id: number): SessionSubscription {
  const subscription = session.subscriptions.get(id);
  if (!subscription || subscription.stopped) {
    throw new EdgelogError("INVALID_REQUEST", `No subscription ${id} on this connection (it ended or never existed)`, {
      details: { field: "sub" },
    });
  }
  return subscription;
}
