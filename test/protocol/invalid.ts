/**
 * Test helper: asserts that decoding a frame fails with INVALID_REQUEST naming one field.
 *
 * @example
 * ```ts
 * expectInvalid(decodeFetchRequest, { ...valid, offset: -1 }, "offset");
 * ```
 * @module
 */
import { expect } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";

/**
 * Calls `decode(frame)` and expects an `EdgelogError` INVALID_REQUEST whose `details.field` is `field`
 * and whose message names it.
 *
 * @example
 * ```ts
 * expectInvalid(decodeCreditRequest, { id: 1, op: "credit", sub: "x" }, "sub");
 * ```
 */
export function expectInvalid(decode: (frame: unknown) => unknown, frame: unknown, field: string): EdgelogError {
  let caught: unknown;
  try {
    decode(frame);
  } catch (error) {
    caught = error;
  }
  expect(caught, `decoding ${JSON.stringify(frame, replacer)} should fail`).toBeInstanceOf(EdgelogError);
  const error = caught as EdgelogError;
  expect(error.code).toBe("INVALID_REQUEST");
  expect(error.details?.["field"]).toBe(field);
  expect(error.message).toContain(field);
  return error;
}

/**
 * A copy of `base` with one field replaced (or removed when `value` is undefined); `path` may be
 * dotted with numeric parts for lists ("partitions.0.partition").
 *
 * @example
 * ```ts
 * withField(valid, "credit.bytes", -1);
 * ```
 */
export function withField(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  const parts = path.split(".");
  let target = copy as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `<${value.length} bytes>` : value;
}
