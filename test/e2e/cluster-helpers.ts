/**
 * Steps the real-process cluster scenarios share: retry an assertion until it holds, bound a wait,
 * and read the JSON event lines of Kafka-style verifiable tools.
 *
 * @example
 * ```ts
 * const leader = await untilPasses(async () => { const p = await describe(); expect(p.leader).toBeGreaterThan(0); return p.leader; }, 10_000);
 * const acked = toolEvents(producer, "producer_send_success");
 * ```
 * @module
 */
import type { Child } from "../support/child-process.ts";
import type { Frame } from "../support/ws-test-client.ts";

/**
 * Runs `check` until it resolves and returns its value; rethrows its last failure once `limitMs`
 * have passed (so the failure message is the assertion's own).
 *
 * @example
 * ```ts
 * await untilPasses(async () => expect(await isr()).toEqual([1, 2, 3]), 15_000);
 * ```
 */
export async function untilPasses<T>(check: () => Promise<T>, limitMs: number, everyMs = 100): Promise<T> {
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

/**
 * Resolves with `promise`, or rejects with "`what` took over `ms` ms".
 *
 * @example
 * ```ts
 * const code = await within(broker.stop(), 20_000, "the clean stop of broker 1");
 * ```
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The JSON event lines named `name` that a verifiable producer or consumer printed so far.
 *
 * @example
 * ```ts
 * toolEvents(producer, "producer_send_error").length; // 3
 * ```
 */
export function toolEvents(child: Child, name: string): Frame[] {
  return child.stdout
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Frame)
    .filter((event) => event["name"] === name);
}
