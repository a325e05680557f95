/**
 * When a group member heartbeats: one heartbeat at a time; the next one on the interval (the
 * `heartbeatIntervalMs` option, else what the broker answers, never more than a third of
 * `sessionTimeoutMs`), sooner after a failure (the retry backoff), and at once when asked
 * (a join, a released revocation, a new connection). A heartbeat asked for while one is out goes
 * right after it.
 *
 * @example
 * ```ts
 * import { HeartbeatTimer } from "./group-heartbeats.ts";
 * const heartbeats = new HeartbeatTimer({ beat: () => sendHeartbeat(), canSchedule: () => connection.ready, retry, intervalMs: undefined, sessionTimeoutMs: 45_000 });
 * await heartbeats.now();
 * heartbeats.stop();
 * ```
 * @module
 */
import { backoffDelay, type ResolvedRetry } from "./retry.ts";

/**
 * What the timer runs and how.
 *
 * @example
 * ```ts
 * const options: HeartbeatTimerOptions = { beat: async () => true, canSchedule: () => true, retry, intervalMs: 200, sessionTimeoutMs: undefined };
 * ```
 */
export interface HeartbeatTimerOptions {
  /** Sends one heartbeat; resolves true when it was answered, false when it failed (the next one comes sooner). */
  beat(): Promise<boolean>;
  /** Whether to keep a timer (false while the member is not active or the connection is down). */
  canSchedule(): boolean;
  readonly retry: ResolvedRetry;
  /** The `heartbeatIntervalMs` option: wins over the broker's interval. */
  readonly intervalMs: number | undefined;
  readonly sessionTimeoutMs: number | undefined;
}

const DEFAULT_INTERVAL_MS = 3000;

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * heartbeats.brokerIntervalMs = reply.heartbeatIntervalMs;
 * ```
 */
export class HeartbeatTimer {
  /** The interval the broker answered. */
  brokerIntervalMs = DEFAULT_INTERVAL_MS;
  readonly #options: HeartbeatTimerOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #beat: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #failures = 0;

  /**
   * A timer that runs `options.beat`.
   *
   * @example
   * ```ts
   * new HeartbeatTimer(options);
   * ```
   */
  constructor(options: HeartbeatTimerOptions) {
    this.#options = options;
  }

  /**
   * Heartbeats now, or right after the heartbeat in flight; resolves when that heartbeat is done.
   *
   * @example
   * ```ts
   * await heartbeats.now();
   * ```
   */
  now(): Promise<void> {
    if (this.#beat === undefined) {
      this.stop();
      const beat = this.#options.beat().then(
        (answered) => void (this.#failures = answered ? 0 : this.#failures + 1),
        () => void this.#failures++,
      );
      const done = beat.finally(() => {
        this.#beat = undefined;
        if (this.#queued === undefined) this.schedule();
      });
      this.#beat = done;
      return done;
    }
    this.#queued ??= this.#beat.then(() => {
      this.#queued = undefined;
      return this.now();
    });
    return this.#queued;
  }

  /**
   * Arms the timer for the next heartbeat (when `canSchedule()`).
   *
   * @example
   * ```ts
   * connection.on("connect", () => heartbeats.schedule());
   * ```
   */
  schedule(): void {
    this.stop();
    if (!this.#options.canSchedule()) return;
    const { intervalMs, sessionTimeoutMs, retry } = this.#options;
    let delay = intervalMs ?? this.brokerIntervalMs;
    if (sessionTimeoutMs !== undefined) delay = Math.min(delay, Math.floor(sessionTimeoutMs / 3));
    if (this.#failures > 0) delay = Math.min(delay, backoffDelay(this.#failures - 1, retry));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.now();
    }, Math.max(1, delay));
  }

  /**
   * Disarms the timer (a heartbeat in flight goes on).
   *
   * @example
   * ```ts
   * heartbeats.stop();
   * ```
   */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
