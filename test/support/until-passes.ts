/**
 * Retrying an assertion until it holds, for tests that wait on real processes or timers.
 *
 * @example
 * ```ts
 * await untilPasses(async () => expect(await isr()).toEqual([1, 2, 3]), 15_000);
 * ```
 * @module
 */

/**
 * Runs `check` until it resolves and returns its value; rethrows its last failure once `limitMs`
 * have passed (so the failure message is the assertion's own).
 *
 * @example
 * ```ts
 * await untilPasses(async () => expect(await isr()).toEqual([1, 2, 3]), 15_000);
 * ```
 */
export async function untilPasses<T>(check: () => T | Promise<T>, limitMs: number, everyMs = 100): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > limitMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}

