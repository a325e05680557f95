/**
 * A wake-up call for code that waits until "something changed" (a connection came up, a reply
 * freed a slot, records arrived): `wait()` resolves at the next `wake()`, or after its timeout.
 *
 * @example
 * ```ts
 * import { WakeSignal } from "./wake-signal.ts";
 * const changed = new WakeSignal();
 * while (!ready()) await changed.wait(1_000);
 * // elsewhere: changed.wake();
 * ```
 * @module
 */

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * const signal = new WakeSignal();
 * setTimeout(() => signal.wake(), 10);
 * await signal.wait();
 * ```
 */
export class WakeSignal {
  readonly #waiters = new Set<() => void>();

  /**
   * Resolves at the next {@link wake}, or after `timeoutMs` when given.
   *
   * @example
   * ```ts
   * await signal.wait(500);
   * ```
   */
  wait(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      const waiters = this.#waiters;
      waiters.add(done);
      function done(): void {
        if (timer !== undefined) clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
    });
  }

  /**
   * Resolves every wait in progress.
   *
   * @example
   * ```ts
   * signal.wake();
   * ```
   */
  wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const done of waiters) done();
  }
}
