/**
 * The argument and state checks every `FileHandle` adapter makes before it touches a file:
 * positions and lengths are safe non-negative integers (`RangeError` otherwise), and a closed handle,
 * or a write through a read-only one, rejects with an `EBADF` error as the runtimes' own would.
 *
 * @example
 * ```ts
 * import { checkByteRange, checkHandleUsable } from "../file-handle-checks.ts";
 * checkHandleUsable(path, closed, readOnly, true); // throws EBADF when closed or read-only
 * checkByteRange("Write position", position);      // throws RangeError on -1, 1.5, NaN
 * ```
 * @module
 */

/**
 * Throws a `RangeError` unless `value` is a safe integer ≥ 0; `what` names it ("Read length").
 *
 * @example
 * ```ts
 * checkByteRange("Read position", -1); // RangeError: Read position must be a non-negative integer, got -1
 * ```
 */
export function checkByteRange(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
}

/**
 * The `EBADF` error of a call on a closed handle.
 *
 * @example
 * ```ts
 * throw closedError("data/t-0/00000000000000000000.log"); // File handle is closed: data/t-0/…
 * ```
 */
export function closedError(path: string): Error {
  return Object.assign(new Error(`File handle is closed: ${path}`), { code: "EBADF" });
}

/**
 * The `EBADF` error of a write through a handle opened with `readOnly`.
 *
 * @example
 * ```ts
 * throw readOnlyError("data/t-0/00000000000000000000.log"); // File is open for reading only: data/t-0/…
 * ```
 */
export function readOnlyError(path: string): Error {
  return Object.assign(new Error(`File is open for reading only: ${path}`), { code: "EBADF" });
}

/**
 * Throws {@link closedError} when the handle is `closed`, and {@link readOnlyError} when `writing`
 * through a `readOnly` handle.
 *
 * @example
 * ```ts
 * checkHandleUsable("a.log", false, true, false); // fine: a read through a read-only handle
 * checkHandleUsable("a.log", false, true, true);  // throws EBADF: File is open for reading only: a.log
 * ```
 */
export function checkHandleUsable(path: string, closed: boolean, readOnly: boolean, writing: boolean): void {
  if (closed) throw closedError(path);
  if (writing && readOnly) throw readOnlyError(path);
}
