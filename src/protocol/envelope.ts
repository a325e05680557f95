/**
 * The request envelope `{id, op, …}` and error replies `{id, error: {code, message, retriable}}`.
 *
 * ```
 * Request   => { id: uint (0..2^53-1), op: string, ...op fields }
 * Response  => { id, ...op result fields }
 * Error     => { id: uint | null, error: WireError }   id is null when the request had no readable id
 * WireError => { code: string (Kafka's error name), message: string, retriable: bool,
 *                details?: { [name]: string | number | boolean | null } }
 * ```
 *
 * Only `EdgelogError`s reach the wire as themselves; anything else becomes `UNKNOWN_SERVER_ERROR`
 * with a fixed message, so stack traces and internal messages never leave the broker.
 *
 * @example
 * ```ts
 * import { decodeEnvelope, errorFrame, requestIdOf } from "./envelope.ts";
 * try { const { id, op } = decodeEnvelope(frame); } catch (e) { reply(errorFrame(requestIdOf(frame), e)); }
 * ```
 * @module
 */
import { EdgelogError, type ErrorCode } from "../core/errors.ts";
import { Fields, INT53_MAX, invalidField, isPlainMap } from "./fields.ts";

/** A request's id, chosen by the client and echoed in the reply: an integer in 0..2^53−1. */
export type RequestId = number;

/** Scalar extras of an error, e.g. `{ logStartOffset: 10 }` for OFFSET_OUT_OF_RANGE. */
export type WireErrorDetails = Record<string, string | number | boolean | null>;

/** An error as it travels in frames: Kafka's name, a human message, and whether a retry may succeed. */
export interface WireError {
  code: ErrorCode;
  message: string;
  retriable: boolean;
  details?: WireErrorDetails;
}

/** The reply to a request that failed as a whole. */
export interface ErrorFrame {
  id: RequestId | null;
  error: WireError;
}

/** The fields every request has. */
export interface RequestEnvelope {
  id: RequestId;
  op: string;
}

/** The message sent in place of errors that are not `EdgelogError`s. */
export const UNKNOWN_SERVER_ERROR_MESSAGE = "The broker failed to handle the request";

/**
 * Reads and checks `id` and `op` of a decoded frame.
 *
 * @example
 * ```ts
 * decodeEnvelope({ id: 1, op: "metadata" }); // { id: 1, op: "metadata" }
 * decodeEnvelope({ op: "metadata" });        // throws INVALID_REQUEST: Field id is required (...)
 * ```
 */
export function decodeEnvelope(frame: unknown): RequestEnvelope {
  const fields = Fields.of(frame);
  return { id: fields.int("id", 0, INT53_MAX), op: fields.string("op") };
}

/**
 * Starts decoding a request of a known op: checks the envelope and that `op` is `expected`, and
 * returns the id with a field reader for the rest. Each op's decoder begins with this.
 *
 * @example
 * ```ts
 * const { id, fields } = openRequest(frame, "fetch");
 * const topic = fields.string("topic");
 * ```
 */
export function openRequest(frame: unknown, expected: string): { id: RequestId; fields: Fields } {
  const fields = Fields.of(frame);
  const id = fields.int("id", 0, INT53_MAX);
  const op = fields.string("op");
  if (op !== expected) throw invalidField("op", JSON.stringify(expected), op);
  return { id, fields };
}

/**
 * The id of a frame when it has a valid one, else `null`: what to put in the error reply to a frame
 * that failed to decode.
 *
 * @example
 * ```ts
 * requestIdOf({ id: 4, op: 12 }); // 4
 * requestIdOf("garbage");         // null
 * ```
 */
export function requestIdOf(frame: unknown): RequestId | null {
  if (!isPlainMap(frame) || !Object.hasOwn(frame, "id")) return null;
  const id = frame["id"];
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/**
 * The wire form of any thrown value. An `EdgelogError` keeps its code, message, retriable flag and
 * scalar details; anything else becomes `UNKNOWN_SERVER_ERROR` with a fixed message.
 *
 * @example
 * ```ts
 * toWireError(new EdgelogError("REQUEST_TIMED_OUT", "No reply in 30000 ms"));
 * // { code: "REQUEST_TIMED_OUT", message: "No reply in 30000 ms", retriable: true }
 * toWireError(new TypeError("x is undefined"));
 * // { code: "UNKNOWN_SERVER_ERROR", message: "The broker failed to handle the request", retriable: false }
 * ```
 */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof EdgelogError)) {
    return { code: "UNKNOWN_SERVER_ERROR", message: UNKNOWN_SERVER_ERROR_MESSAGE, retriable: false };
  }
  const wire: WireError = { code: error.code, message: error.message, retriable: error.retriable };
  if (error.details !== undefined) {
    const details: WireErrorDetails = {};
    let any = false;
    for (const [key, value] of Object.entries(error.details)) {
      if (
        value === null ||
        typeof value === "string" ||
        typeof value === "boolean" ||
        (typeof value === "number" && Number.isFinite(value))
      ) {
        details[key] = value;
        any = true;
      }
    }
    if (any) wire.details = details;
  }
  return wire;
}

/**
 * The reply to a request that failed as a whole.
 *
 * @example
 * ```ts
 * errorFrame(9, new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "Unknown topic orders"));
 * // { id: 9, error: { code: "UNKNOWN_TOPIC_OR_PARTITION", message: "...", retriable: true } }
 * ```
 */
export function errorFrame(id: RequestId | null, error: unknown): ErrorFrame {
  return { id, error: toWireError(error) };
}

/**
 * A per-item result that failed (one partition of a produce, one topic of a createTopics): the item's
 * key fields plus `error`.
 *
 * @example
 * ```ts
 * withError({ partition: 3 }, new EdgelogError("NOT_LEADER_OR_FOLLOWER", "Partition 3 moved"));
 * // { partition: 3, error: { code: "NOT_LEADER_OR_FOLLOWER", ... } }
 * ```
 */
export function withError<T extends object>(item: T, error: unknown): T & { error: WireError } {
  return { ...item, error: toWireError(error) };
}
