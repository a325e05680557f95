/**
 * `credit`: adds records and bytes to a subscription's flow-control credit, letting the broker push
 * more. Credit adds up (capped at 2^53 − 1); see `flow-credit.ts` for how pushes spend it. Every credit
 * request makes the window fresh, so a batch larger than the remaining credit can go next.
 *
 * ```
 * CreditRequest =>
 *   id: uint
 *   op: "credit"
 *   sub: uint                 a subscription id from subscribe
 *   records?: int ≥ 0 = 0     records to add
 *   bytes?: int ≥ 0 = 0       bytes to add
 *
 * CreditResponse =>
 *   id: uint
 *   sub: uint
 *   records: int              the credit now available, after adding
 *   bytes: int
 * ```
 * An unknown or ended subscription → INVALID_REQUEST (a subscription ends with an error push or
 * unsubscribe; a credit already in flight then gets this error, which a client may ignore).
 *
 * @example
 * ```ts
 * decodeCreditRequest({ id: 14, op: "credit", sub: 1, records: 500, bytes: 524288 });
 * ```
 * @module
 */
import { openRequest, type RequestId } from "../envelope.ts";
import { INT53_MAX } from "../fields.ts";

/** A decoded `credit` request. */
export interface CreditRequest {
  id: RequestId;
  op: "credit";
  sub: number;
  records: number;
  bytes: number;
}

/** The reply to `credit`: the credit available after adding. */
export interface CreditResponse {
  id: RequestId;
  sub: number;
  records: number;
  bytes: number;
}

/**
 * Validates a decoded `credit` frame.
 *
 * @example
 * ```ts
 * decodeCreditRequest({ id: 14, op: "credit", sub: 1, bytes: -5 }); // throws naming bytes
 * ```
 */
export function decodeCreditRequest(frame: unknown): CreditRequest {
  const { id, fields } = openRequest(frame, "credit");
  return {
    id,
    op: "credit",
    sub: fields.int("sub", 0, INT53_MAX),
    records: fields.optionalInt("records", 0, INT53_MAX, 0),
    bytes: fields.optionalInt("bytes", 0, INT53_MAX, 0),
  };
}

/**
 * Builds the reply to `credit`.
 *
 * @example
 * ```ts
 * creditResponse(req.id, { sub: req.sub, records: credit.records, bytes: credit.bytes });
 * ```
 */
export function creditResponse(id: RequestId, body: Omit<CreditResponse, "id">): CreditResponse {
  return { id, ...body };
}
