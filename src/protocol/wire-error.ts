/**
 * Errors received from a broker become `EdgelogError`s with the broker's code, message, retriable
 * flag and details. A code this version does not know (a newer broker's) becomes
 * `UNKNOWN_SERVER_ERROR` that keeps the broker's retriable flag and names the code in
 * `details.code`, as the protocol asks clients to treat unknown codes by their flag.
 *
 * @example
 * ```ts
 * import { fromWireError } from "./wire-error.ts";
 * const error = fromWireError({ code: "NOT_LEADER_OR_FOLLOWER", message: "moved", retriable: true });
 * error.retriable; // true
 * ```
 * @module
 */
import { EdgelogError, ERROR_CODES, type ErrorCode } from "../core/errors.ts";

/**
 * The `EdgelogError` for a `WireError` of an error reply, an error push or a per-item result.
 *
 * @example
 * ```ts
 * fromWireError({ code: "SOMETHING_NEW", message: "x", retriable: true }).code; // "UNKNOWN_SERVER_ERROR"
 * ```
 */
export function fromWireError(wire: unknown): EdgelogError {
  if (typeof wire !== "object" || wire === null || Array.isArray(wire)) {
    return new EdgelogError("UNKNOWN_SERVER_ERROR", "The broker sent a malformed error");
  }
  const fields = wire as Record<string, unknown>;
  const code = typeof fields["code"] === "string" ? fields["code"] : "UNKNOWN_SERVER_ERROR";
  const message = typeof fields["message"] === "string" ? fields["message"] : `The broker answered ${code}`;
  const rawDetails = fields["details"];
  const details =
    typeof rawDetails === "object" && rawDetails !== null && !Array.isArray(rawDetails)
      ? { ...(rawDetails as Record<string, unknown>) }
      : undefined;
  const known = Object.hasOwn(ERROR_CODES, code);
  const retriable = typeof fields["retriable"] === "boolean" ? fields["retriable"] : known ? ERROR_CODES[code as ErrorCode].retriable : false;
  if (known) return new EdgelogError(code as ErrorCode, message, { retriable, ...(details ? { details } : {}) });
  return new EdgelogError("UNKNOWN_SERVER_ERROR", `${code}: ${message}`, { retriable, details: { ...details, code } });
}
