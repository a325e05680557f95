import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY, resolveRetry, withRetry } from "../../src/client/retry.ts";
import { EdgelogError } from "../../src/core/errors.ts";

describe("retry", () => {
  it("backoffDelay() grows by the multiplier up to maxRetryTimeMs, randomized by ±factor", () => {
    const retry = resolveRetry({ initialRetryTimeMs: 100, maxRetryTimeMs: 1_000, multiplier: 2, factor: 0.2 });
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, retry, () => 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(1, retry, () => 0)).toBe(160);
    expect(backoffDelay(1, retry, () => 1)).toBe(240);
    expect(backoffDelay(10, retry, () => 1)).toBe(1000);
  });

  it("resolveRetry() fills in defaults from a base and refuses bad values", () => {
    expect(resolveRetry(undefined)).toEqual(DEFAULT_RETRY);
    expect(resolveRetry({ retries: 1 }, resolveRetry({ initialRetryTimeMs: 7 }))).toMatchObject({ retries: 1, initialRetryTimeMs: 7 });
    expect(resolveRetry({ retries: Infinity }).retries).toBe(Infinity);
    expect(() => resolveRetry({ retries: -1 })).toThrow(RangeError);
    expect(() => resolveRetry({ factor: 2 })).toThrow(RangeError);
  });

  it("withRetry() retries retriable errors up to retries times, and nothing else", async () => {
    const retry = resolveRetry({ retries: 2, initialRetryTimeMs: 1 });
    let calls = 0;
    const flaky = await withRetry(async () => {
      if (++calls < 3) throw new EdgelogError("REQUEST_TIMED_OUT", "late");
      return "done";
    }, retry);
    expect([flaky, calls]).toEqual(["done", 3]);

    calls = 0;
    await expect(withRetry(async () => { calls++; throw new EdgelogError("LEADER_NOT_AVAILABLE", "later"); }, retry)).rejects.toMatchObject({ code: "LEADER_NOT_AVAILABLE" });
    expect(calls).toBe(3);

    calls = 0;
    await expect(withRetry(async () => { calls++; throw new EdgelogError("INVALID_CONFIG", "never"); }, retry)).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(withRetry(async () => { calls++; throw new TypeError("bug"); }, retry)).rejects.toThrow(TypeError);
    expect(calls).toBe(2);
  });
});
