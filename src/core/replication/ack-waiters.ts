/**
 * The produce requests with acks=all a leader holds until its high watermark covers their records
 * (Kafka's DelayedProduce purgatory): each waits for a verdict, with a timeout on the clock and an
 * optional AbortSignal, and every timer and listener is removed when it ends.
 *
 * @example
 * ```ts
 * const waiters = new AckWaiters(clock, (endOffset) => (log.highWatermark >= endOffset ? true : false));
 * const acked = waiters.wait(43, 30_000);
 * log.setHighWatermark(43);
 * waiters.recheck(); // acked resolves
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";

/**
 * What a waiter's verdict is: `true` done, `false` keep waiting, an error to reject with.
 *
 * @example
 * ```ts
 * const verdict: AckVerdict = (endOffset) => (hw >= endOffset ? true : false);
 * ```
 */
export type AckVerdict = (endOffset: number) => boolean | EdgelogError;

interface Pending {
  endOffset: number;
  settle: (outcome: true | EdgelogError) => void;
}

/**
 * A set of acks=all waits judged by one verdict function.
 *
 * @example
 * ```ts
 * const waiters = new AckWaiters(clock, verdict);
 * waiters.failAll(new EdgelogError("NOT_LEADER_OR_FOLLOWER", "Leadership moved"));
 * ```
 */
export class AckWaiters {
  private readonly pending = new Set<Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly verdict: AckVerdict,
  ) {}

  /** Waits in progress. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Resolves once the verdict for `endOffset` is true; rejects with its error, with
   * REQUEST_TIMED_OUT after `timeoutMs`, or when `signal` aborts (with the signal's reason when it
   * is an `EdgelogError`, REQUEST_TIMED_OUT otherwise).
   */
  wait(endOffset: number, timeoutMs: number, signal?: AbortSignal, name = "the partition"): Promise<void> {
    const now = this.verdict(endOffset);
    if (now === true) return Promise.resolve();
    if (now instanceof EdgelogError) return Promise.reject(now);
    const timedOut = (): EdgelogError =>
      new EdgelogError("REQUEST_TIMED_OUT", `The in-sync replicas of ${name} did not reach offset ${endOffset} within ${timeoutMs} ms`);
    if (signal?.aborted) return Promise.reject(abortError(signal, name));
    if (!(timeoutMs > 0)) return Promise.reject(timedOut());
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const onAbort = (): void => entry.settle(abortError(signal!, name));
      const entry: Pending = {
        endOffset,
        settle: (outcome) => {
          if (!this.pending.delete(entry)) return;
          if (timer !== undefined) this.clock.clearTimer(timer);
          signal?.removeEventListener("abort", onAbort);
          if (outcome === true) resolve();
          else reject(outcome);
        },
      };
      this.pending.add(entry);
      timer = this.clock.setTimer(Math.min(timeoutMs, 0x7fff_ffff), () => {
        timer = undefined;
        entry.settle(timedOut());
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Settles every wait whose verdict is no longer "keep waiting". */
  recheck(): void {
    if (this.pending.size === 0) return;
    for (const entry of [...this.pending]) {
      const outcome = this.verdict(entry.endOffset);
      if (outcome !== false) entry.settle(outcome);
    }
  }

  /** Rejects every wait with `error`. */
  failAll(error: EdgelogError): void {
    for (const entry of [...this.pending]) entry.settle(error);
  }
}

function abortError(signal: AbortSignal, name: string): EdgelogError {
  const reason: unknown = signal.reason;
  if (reason instanceof EdgelogError) return reason;
  return new EdgelogError("REQUEST_TIMED_OUT", `The wait for the in-sync replicas of ${name} was aborted`);
}
