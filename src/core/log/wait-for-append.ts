/**
 * Long-poll support: callers wait until a log's end passes an offset, with a timeout and an
 * optional AbortSignal, and every timer and listener is removed when the wait ends.
 *
 * @example
 * ```ts
 * const notifier = new AppendNotifier(clock);
 * const arrived = notifier.wait(() => log.highWatermark, 42, 500); // true once the end passes 42
 * notifier.notify(); // after each append
 * ```
 * @module
 */
import type { Clock, TimerHandle } from "../ports/clock.ts";

interface Waiter {
  end: () => number;
  offset: number;
  finish: (arrived: boolean) => void;
}

/**
 * Wakes waiters whose end offset has moved past the offset they wait on.
 *
 * @example
 * ```ts
 * const n = new AppendNotifier(clock);
 * const p = n.wait(() => leo, 10, 1000, signal);
 * leo = 11;
 * n.notify(); // p resolves true
 * ```
 */
export class AppendNotifier {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  /** Number of waits in progress. */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves true as soon as `end() > offset` (at once if it already is), false after `timeoutMs`,
   * on abort, or when {@link closeAll} runs.
   */
  wait(end: () => number, offset: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (end() > offset) return Promise.resolve(true);
    if (signal?.aborted || !(timeoutMs > 0)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: TimerHandle | undefined;
      const onAbort = (): void => waiter.finish(false);
      const waiter: Waiter = {
        end,
        offset,
        finish: (arrived) => {
          if (!this.waiters.delete(waiter)) return;
          if (timer !== undefined) this.clock.clearTimer(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(arrived);
        },
      };
      this.waiters.add(waiter);
      timer = this.clock.setTimer(Math.min(timeoutMs, 0x7fff_ffff), () => {
        timer = undefined;
        waiter.finish(false);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wakes every waiter whose end has passed its offset. */
  notify(): void {
    if (this.waiters.size === 0) return;
    for (const waiter of [...this.waiters]) if (waiter.end() > waiter.offset) waiter.finish(true);
  }

  /** Ends every wait with false (the log is closing). */
  closeAll(): void {
    for (const waiter of [...this.waiters]) waiter.finish(false);
  }
}
