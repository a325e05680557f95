/**
 * The keep-alive loop of a {@link Lease}, shared by every {@link Coordination} implementation: renew
 * every `ttl/3`, and report the lease lost when the store says it no longer has it, or when no renewal
 * succeeded within the TTL (counted from when the last successful renewal was sent, so the holder
 * gives up no later than the store expires the lease).
 *
 * @example
 * ```ts
 * const lease = keepLeaseAlive({
 *   id: "7", ttlSeconds: 10, clock, grantedAt: sentAt,
 *   keepAlive: () => http.keepAlive("7"), revoke: () => http.revoke("7"),
 * });
 * lease.onLost((loss) => console.warn(loss.message));
 * ```
 * @module
 */
import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { Lease, LeaseLoss } from "../ports/coordination.ts";

/**
 * What {@link keepLeaseAlive} needs from its implementation.
 *
 * @example
 * ```ts
 * keepLeaseAlive({ id, ttlSeconds: 10, clock, grantedAt, keepAlive: () => kv.keepAlive(id), revoke: async () => void kv.revoke(id) });
 * ```
 */
export interface LeaseKeeperOptions {
  id: string;
  /** The TTL the store granted. */
  ttlSeconds: number;
  clock: Clock;
  /** `clock.monotonic()` when the grant was sent: the lease lives at least until then + TTL. */
  grantedAt: number;
  /**
   * Renews the lease once: true when the store still has it, false when it does not; throws or
   * rejects when the store cannot be reached. May answer synchronously (the memory store does, so
   * that a manual clock can move many TTLs in one step).
   */
  keepAlive(): boolean | Promise<boolean>;
  /** Revokes the lease in the store; a lease it no longer has is not an error. */
  revoke(): Promise<void>;
  /** Called once when the keeper stops for any reason, so its owner can forget it. */
  onStop?(): void;
}

/**
 * A lease with its keep-alive loop, as an implementation holds it.
 *
 * @example
 * ```ts
 * const lease = keepLeaseAlive(options);
 * lease.close(); // shutdown without revoking
 * ```
 */
export interface KeptLease extends Lease {
  /** Stops the keep-alives without revoking the lease and without reporting it lost. */
  close(): void;
}

/**
 * Starts keeping a granted lease alive.
 *
 * @example
 * ```ts
 * const lease = keepLeaseAlive({ id, ttlSeconds: 2, clock, grantedAt, keepAlive, revoke });
 * lease.close(); // on shutdown: the lease expires in the store after its TTL
 * ```
 */
export function keepLeaseAlive(options: LeaseKeeperOptions): KeptLease {
  const { id, ttlSeconds, clock } = options;
  const ttlMs = ttlSeconds * 1000;
  const intervalMs = Math.max(1, Math.floor(ttlMs / 3));
  const callbacks = new Set<(loss: LeaseLoss) => void>();
  let state: Lease["state"] = "active";
  let loss: LeaseLoss | undefined;
  let lastConfirmed = options.grantedAt;
  let inFlight = false;
  let tickTimer: TimerHandle = clock.setTimer(intervalMs, onTick);
  let deadlineTimer: TimerHandle = clock.setTimer(lastConfirmed + ttlMs - clock.monotonic(), onDeadline);

  function stop(next: Lease["state"]): boolean {
    if (state !== "active") return false;
    state = next;
    clock.clearTimer(tickTimer);
    clock.clearTimer(deadlineTimer);
    options.onStop?.();
    return true;
  }

  function lose(reason: LeaseLoss["reason"], message: string): void {
    if (!stop("lost")) return;
    loss = { reason, message };
    for (const callback of [...callbacks]) notify(callback, loss);
  }

  function onTick(): void {
    if (state !== "active") return;
    tickTimer = clock.setTimer(intervalMs, onTick);
    if (inFlight) return;
    const sentAt = clock.monotonic();
    let answer: boolean | Promise<boolean>;
    try {
      answer = options.keepAlive();
    } catch {
      return; // Unreachable: the deadline decides.
    }
    if (typeof answer === "boolean") {
      settle(answer, sentAt);
      return;
    }
    inFlight = true;
    answer.then(
      (alive) => {
        inFlight = false;
        settle(alive, sentAt);
      },
      () => {
        inFlight = false;
      },
    );
  }

  function settle(alive: boolean, sentAt: number): void {
    if (state !== "active") return;
    if (!alive) {
      lose("expired", `Lease ${id} expired or was revoked in the coordination store`);
      return;
    }
    if (sentAt <= lastConfirmed) return;
    lastConfirmed = sentAt;
    clock.clearTimer(deadlineTimer);
    deadlineTimer = clock.setTimer(lastConfirmed + ttlMs - clock.monotonic(), onDeadline);
  }

  function onDeadline(): void {
    lose("unreachable", `No keep-alive of lease ${id} succeeded within its TTL of ${ttlSeconds} s`);
  }

  return {
    id,
    ttlSeconds,
    get state() {
      return state;
    },
    onLost(callback) {
      if (loss !== undefined) {
        const known = loss;
        queueMicrotask(() => {
          if (callbacks.has(callback)) notify(callback, known);
        });
      }
      callbacks.add(callback);
      return () => void callbacks.delete(callback);
    },
    async revoke() {
      if (state === "revoked") return;
      if (!stop("revoked")) state = "revoked";
      callbacks.clear();
      await options.revoke();
    },
    close() {
      stop("closed");
    },
  };
}

function notify(callback: (loss: LeaseLoss) => void, loss: LeaseLoss): void {
  try {
    callback(loss);
  } catch {
    // A failing listener must not keep the others from hearing about the loss.
  }
}
