/**
 * Retries with exponential backoff, shaped like kafkajs's `retry` option: the n-th retry waits
 * `min(maxRetryTimeMs, initialRetryTimeMs × multiplier^n)`, randomized by ±`factor`.
 *
 * @example
 * ```ts
 * import { resolveRetry, withRetry } from "./retry.ts";
 * const retry = resolveRetry({ retries: 3, initialRetryTimeMs: 100 });
 * const reply = await withRetry(() => connection.request("metadata", {}), retry);
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";

/**
 * How often and how patiently to retry a retriable failure.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { retries: 5, initialRetryTimeMs: 300, maxRetryTimeMs: 30_000 };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt; default 5. */
  retries?: number;
  /** The first wait; default 300 ms. */
  initialRetryTimeMs?: number;
  /** The longest wait; default 30 000 ms. */
  maxRetryTimeMs?: number;
  /** Growth of the wait per retry; default 2. */
  multiplier?: number;
  /** Randomization of each wait, 0 to 1; default 0.2. */
  factor?: number;
}

/**
 * {@link RetryOptions} with every default filled in.
 *
 * @example
 * ```ts
 * const retry: ResolvedRetry = resolveRetry(undefined); // { retries: 5, initialRetryTimeMs: 300, ... }
 * ```
 */
export type ResolvedRetry = Readonly<Required<RetryOptions>>;

/**
 * The defaults (kafkajs's).
 *
 * @example
 * ```ts
 * DEFAULT_RETRY.retries; // 5
 * ```
 */
export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  retries: 5,
  initialRetryTimeMs: 300,
  maxRetryTimeMs: 30_000,
  multiplier: 2,
  factor: 0.2,
});

/**
 * Fills in defaults (of `base`, else {@link DEFAULT_RETRY}) and checks the values; a bad one is a
 * `RangeError`.
 *
 * @example
 * ```ts
 * resolveRetry({ retries: 0 }).retries; // 0: fail on the first error
 * ```
 */
export function resolveRetry(options: RetryOptions | undefined, base: ResolvedRetry = DEFAULT_RETRY): ResolvedRetry {
  const o = options ?? {};
  const retry = {
    retries: o.retries ?? base.retries,
    initialRetryTimeMs: o.initialRetryTimeMs ?? base.initialRetryTimeMs,
    maxRetryTimeMs: o.maxRetryTimeMs ?? base.maxRetryTimeMs,
    multiplier: o.multiplier ?? base.multiplier,
    factor: o.factor ?? base.factor,
  };
  if (!(retry.retries >= 0) || (!Number.isInteger(retry.retries) && retry.retries !== Infinity)) {
    throw new RangeError(`retry.retries must be a non-negative integer or Infinity, got ${retry.retries}`);
  }
  for (const key of ["initialRetryTimeMs", "maxRetryTimeMs", "multiplier"] as const) {
    if (!Number.isFinite(retry[key]) || retry[key] < 0) throw new RangeError(`retry.${key} must be a non-negative number, got ${retry[key]}`);
  }
  if (!(retry.factor >= 0 && retry.factor <= 1)) throw new RangeError(`retry.factor must be between 0 and 1, got ${retry.factor}`);
  return Object.freeze(retry);
}

/**
 * The wait before retry number `attempt` (0 for the first retry).
 *
 * @example
 * ```ts
 * backoffDelay(0, DEFAULT_RETRY, () => 0.5); // 300
 * backoffDelay(3, DEFAULT_RETRY, () => 0.5); // 2400
 * ```
 */
export function backoffDelay(attempt: number, retry: ResolvedRetry, random: () => number = Math.random): number {
  const base = Math.min(retry.maxRetryTimeMs, retry.initialRetryTimeMs * retry.multiplier ** Math.max(0, attempt));
  const jitter = 1 + retry.factor * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(retry.maxRetryTimeMs, base * jitter)));
}

/**
 * Whether a failure may go away by itself: a retriable `EdgelogError`.
 *
 * @example
 * ```ts
 * isRetriable(new EdgelogError("REQUEST_TIMED_OUT", "late")); // true
 * ```
 */
export function isRetriable(error: unknown): boolean {
  return error instanceof EdgelogError && error.retriable;
}

/**
 * Runs `operation` and retries it after a backoff while it fails with a retriable error (or what
 * `shouldRetry` accepts), at most `retry.retries` times; then rethrows the last error. `stopped`
 * ends the retries early (e.g. once the client is closing).
 *
 * @example
 * ```ts
 * await withRetry((attempt) => send(attempt), retry, { onRetry: (e, n) => log(`retry ${n}: ${e}`) });
 * ```
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  retry: ResolvedRetry,
  options: { shouldRetry?: (error: unknown) => boolean; stopped?: () => boolean; onRetry?: (error: unknown, attempt: number) => void } = {},
): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetriable;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= retry.retries || !shouldRetry(error) || options.stopped?.() === true) throw error;
      options.onRetry?.(error, attempt + 1);
      await sleep(backoffDelay(attempt, retry));
      if (options.stopped?.() === true) throw error;
    }
  }
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await sleep(100);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
