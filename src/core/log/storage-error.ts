/**
 * Wraps a failure of the file system in the error callers see: `KAFKA_STORAGE_ERROR`.
 *
 * @example
 * ```ts
 * try { await file.sync(); } catch (cause) { throw storageError("Cannot sync orders-0", cause); }
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * A `KAFKA_STORAGE_ERROR` with `cause` kept; an `EdgelogError` passes through unchanged.
 *
 * @example
 * ```ts
 * throw storageError("Cannot append to orders-0", new Error("ENOSPC"));
 * ```
 */
export function storageError(message: string, cause?: unknown): EdgelogError {
  if (cause instanceof EdgelogError) return cause;
  const reason = cause instanceof Error ? `: ${cause.message}` : "";
  return new EdgelogError("KAFKA_STORAGE_ERROR", `${message}${reason}`, { cause });
}
