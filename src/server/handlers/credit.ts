/**
 * `credit`: adds records and bytes to a subscription's flow-control credit and wakes its stream.
 * An unknown or ended subscription is INVALID_REQUEST.
 *
 * ```
 * CreditRequest  => { id, op: "credit", sub, records?, bytes? }
 * CreditResponse => { id, sub, records, bytes }      the credit now available
 * ```
 *
 * @example
 * ```ts
 * await handleCredit({ id: 14, op: "credit", sub: 1, records: 500, bytes: 524288 }, scope);
 * ```
 * @module
 */
import { creditResponse, type CreditRequest } from "../../protocol/ops/credit.ts";
import type { Handler } from "./handler.ts";
import { findSubscription } from "./unsubscribe.ts";

/**
 * Answers `credit`.
 *
 * @example
 * ```ts
 * HANDLERS.credit = handleCredit;
 * ```
 */
export const handleCredit: Handler<CreditRequest> = async (request, { session }) => {
  const subscription = findSubscription(session, request.sub);
  const available = subscription.grant(request.records, request.bytes);
  return creditResponse(request.id, { sub: request.sub, ...available });
};
