/**
 * Time as the core sees it: the wall clock for timestamps and retention, and timers for flushes,
 * retention checks and timeouts. Tests inject a manual clock.
 *
 * @example
 * ```ts
 * const clock = systemClock();
 * const timer = clock.setTimer(300_000, () => log.applyRetention());
 * clock.clearTimer(timer);
 * ```
 * @module
 */

/** An opaque handle for a pending timer. */
export type TimerHandle = { readonly id: number };

/** Reads the time and schedules callbacks. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** A monotonic reading in milliseconds, for measuring durations. */
  monotonic(): number;
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/**
 * The clock of the host, through the timer functions every runtime shares.
 *
 * @example
 * ```ts
 * const clock = systemClock();
 * console.log(new Date(clock.now()).toISOString());
 * ```
 */
export function systemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    setTimer(delayMs, callback) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        callback();
      }, delayMs);
      // Timers never keep the process alive by themselves.
      (t as { unref?: () => void }).unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** A clock tests move by hand. */
export interface ManualClock extends Clock {
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void;
  /** Sets the wall clock without running timers. */
  set(nowMs: number): void;
}

/**
 * A clock that moves only when told, for retention and timeout tests.
 *
 * @example
 * ```ts
 * const clock = manualClock(1_700_000_000_000);
 * clock.setTimer(1000, () => console.log("due"));
 * clock.advance(1000); // prints "due"
 * ```
 */
export function manualClock(startMs = 0): ManualClock {
  let now = startMs;
  let mono = 0;
  let next = 1;
  const timers = new Map<number, { due: number; callback: () => void }>();
  return {
    now: () => now,
    monotonic: () => mono,
    setTimer(delayMs, callback) {
      const id = next++;
      timers.set(id, { due: mono + Math.max(0, delayMs), callback });
      return { id };
    },
    clearTimer(handle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const end = mono + ms;
      for (;;) {
        let best: [number, { due: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].due <= end && (!best || entry[1].due < best[1].due)) best = entry;
        if (!best) break;
        now += best[1].due - mono;
        mono = best[1].due;
        timers.delete(best[0]);
        best[1].callback();
      }
      now += end - mono;
      mono = end;
    },
    set(nowMs) {
      now = nowMs;
    },
  };
}
