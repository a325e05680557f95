/**
 * What every op of the admin client is built on: one routed, retried request per op
 * ({@link adminRequester}), the check that a list names at least one item, and the error of one
 * item of an answer (one topic of several), with the item named in its `details`.
 *
 * @example
 * ```ts
 * const requests = adminRequester(new AdminRouter(pool), resolveRetry(undefined), 30_000);
 * const reply = await requests.call<MetadataResponse>("metadata", { topics: null });
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { WireError } from "../protocol/index.ts";
import type { AdminRouter } from "./admin-routing.ts";
import { type ResolvedRetry, withRetry } from "./retry.ts";
import { fromWireError } from "../protocol/wire-error.ts";

/** Extra time the client waits beyond the broker-side timeout of an operation. */
const REPLY_MARGIN_MS = 5_000;

/**
 * How the admin ops reach the brokers.
 *
 * @example
 * ```ts
 * const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
 * await requests.call<DeleteTopicsResponse>("deleteTopics", { topics: ["orders"], timeoutMs }, timeoutMs);
 * ```
 */
export interface AdminRequests {
  /**
   * One request (to the broker that serves it), retried while it fails as a whole with a retriable
   * error. `brokerTimeoutMs`, the op's broker-side timeout, makes the client wait that long and a
   * margin for the reply.
   */
  call<T>(op: string, body: Record<string, unknown>, brokerTimeoutMs?: number): Promise<T>;
  /** The broker-side timeout of ops that take one and were given none. */
  readonly timeoutMs: number;
}

/**
 * The {@link AdminRequests} of an admin client: requests through `router`, retried by `retry`.
 *
 * @example
 * ```ts
 * const requests = adminRequester(new AdminRouter(pool), resolveRetry({ retries: 0 }), 30_000);
 * ```
 */
export function adminRequester(router: AdminRouter, retry: ResolvedRetry, timeoutMs: number): AdminRequests {
  return {
    call<T>(op: string, body: Record<string, unknown>, brokerTimeoutMs?: number): Promise<T> {
      const options = brokerTimeoutMs === undefined ? {} : { timeoutMs: brokerTimeoutMs + REPLY_MARGIN_MS };
      return withRetry(() => router.request<T>(op, body, options), retry);
    },
    timeoutMs,
  };
}

/**
 * `value` when it is an array of at least one item; a `TypeError` naming `what` otherwise.
 *
 * @example
 * ```ts
 * const topics = list(request?.topics, "deleteTopics() topics");
 * ```
 */
export function list<T>(value: T[] | undefined, what: string): T[] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${what} must list at least one item`);
  return value;
}

/**
 * A per-item error, with the item named in `details`.
 *
 * @example
 * ```ts
 * throw itemError(result.error, { topic: result.topic }); // error.details.topic === "orders"
 * ```
 */
export function itemError(wire: WireError, item: Record<string, string | number>): EdgelogError {
  const error = fromWireError(wire);
  return new EdgelogError(error.code, error.message, { retriable: error.retriable, details: { ...error.details, ...item } });
}
