/**
 * Throughput throttling of the producing tools (Kafka's ThroughputThrottler): message `i` of a run
 * started at `startMs` goes out no earlier than `startMs + i × 1000 / throughput`, so that the run
 * keeps to about `throughput` messages per second. A negative throughput is no limit; 0 sends
 * nothing until stopped.
 *
 * @example
 * ```ts
 * for (let i = 0; i < n; i++) {
 *   await pace(start, i, 100, () => stopping); // at most about 100 per second
 *   send(i);
 * }
 * ```
 * @module
 */

/**
 * Waits until message `i` may go out, or until `stopped()` turns true (checked at least every 200 ms).
 *
 * @example
 * ```ts
 * await pace(Date.now(), 0, -1, () => false); // resolves at once: no limit
 * ```
 */
export async function pace(startMs: number, i: number, throughput: number, stopped: () => boolean): Promise<void> {
  if (throughput < 0) return;
  for (;;) {
    const due = throughput === 0 ? Infinity : startMs + (i * 1000) / throughput;
    const wait = due - Date.now();
    if (wait <= 0 || stopped()) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 200)));
  }
}
