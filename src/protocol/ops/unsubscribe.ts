/**
 * `unsubscribe`: ends a subscription. No push for it follows the reply.
 *
 * ```
 * UnsubscribeRequest =>
 *   id: uint
 *   op: "unsubscribe"
 *   sub: uint
 *
 * UnsubscribeResponse =>
 *   id: uint
 *   sub: uint
 *   nextOffset: int64        the position after the last record pushed: where to resume
 * ```
 * An unknown or ended subscription → INVALID_REQUEST.
 *
 * @example
 * ```ts
 * decodeUnsubscribeRequest({ id: 15, op: "unsubscribe", sub: 1 });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT53_MAX } from "../fields.ts";

/** A decoded `unsubscribe` request. */
export interface UnsubscribeRequest {
  id: RequestId;
  op: "unsubscribe";
  sub: number;
}

/** The reply to `unsubscribe`. */
export interface UnsubscribeResponse {
  id: RequestId;
  sub: number;
  nextOffset: number;
}

/**
 * Validates a decoded `unsubscribe` frame.
 *
 * @example
 * ```ts
 * decodeUnsubscribeRequest({ id: 15, op: "unsubscribe", sub: "1" }); // throws naming sub
 * ```
 */
export function decodeUnsubscribeRequest(frame: unknown): UnsubscribeRequest {
  const { id, fields } = openRequest(frame, "unsubscribe");
  return { id, op: "unsubscribe", sub: fields.int("sub", 0, INT53_MAX) };
}

/**
 * Builds the reply to `unsubscribe`.
 *
 * @example
 * ```ts
 * unsubscribeResponse(req.id, { sub: req.sub, nextOffset: 120 });
 * ```
 */
export function unsubscribeResponse(id: RequestId, body: Omit<UnsubscribeResponse, "id">): UnsubscribeResponse {
  return { id, ...body };
}
