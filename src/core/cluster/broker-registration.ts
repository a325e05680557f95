/**
 * A broker's membership of the cluster: its key `brokers/<id>` (its id and advertised listener)
 * lives under a lease, so the broker counts as alive exactly as long as it keeps the lease alive
 * (Kafka's broker session, `broker.session.timeout.ms`, default 9000 ms, rounded up to whole seconds
 * for the lease TTL).
 *
 * - Starting refuses a broker id another live broker holds (Kafka refuses a duplicate broker.id):
 *   it first waits about one session (the holder may be this broker's own previous run, whose lease
 *   has not expired yet), then fails with DUPLICATE_BROKER_REGISTRATION.
 * - When the lease is lost (the broker was cut off from the store for a whole TTL, or the lease was
 *   revoked) the cluster has seen the broker die; it registers again under a new lease as soon as the
 *   store can be reached, retrying with backoff, and tells {@link BrokerRegistration.onRegistered}.
 * - `close()` revokes the lease: the broker leaves at once and the controller moves its leaderships.
 *
 * @example
 * ```ts
 * const registration = await registerBroker({ store, keys, brokerId: 1, url: "ws://b1:9092" });
 * registration.onRegistered((lease) => console.log(`registered again under lease ${lease.id}`));
 * await registration.close();
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { systemClock, type Clock, type TimerHandle } from "../ports/clock.ts";
import type { Coordination, CoordinationEntry, Lease } from "../ports/coordination.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import { errorMessage, silentLogger, type ClusterLogger } from "./cluster-logger.ts";
import { encodeBrokerRecord } from "./cluster-records.ts";

/**
 * Kafka's default broker session timeout, in milliseconds.
 *
 * @example
 * ```ts
 * sessionTtlSeconds(DEFAULT_BROKER_SESSION_TIMEOUT_MS); // 9
 * ```
 */
export const DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9000;

/**
 * The lease TTL for a session timeout: whole seconds, rounded up, at least 1.
 *
 * @example
 * ```ts
 * sessionTtlSeconds(9000); // 9
 * sessionTtlSeconds(2500); // 3
 * ```
 */
export function sessionTtlSeconds(sessionTimeoutMs: number): number {
  if (!Number.isFinite(sessionTimeoutMs) || sessionTimeoutMs <= 0) {
    throw new EdgelogError("INVALID_CONFIG", `Invalid value ${sessionTimeoutMs} for configuration broker.session.timeout.ms: Value must be at least 1`);
  }
  return Math.max(1, Math.ceil(sessionTimeoutMs / 1000));
}

/**
 * Options for {@link registerBroker}.
 *
 * @example
 * ```ts
 * const options: BrokerRegistrationOptions = { store, keys, brokerId: 1, url: "ws://b1:9092", sessionTimeoutMs: 6000 };
 * ```
 */
export interface BrokerRegistrationOptions {
  store: Coordination;
  keys: ClusterKeys;
  brokerId: number;
  /** The advertised WebSocket listener other brokers and clients reach this broker at. */
  url: string;
  /** `broker.session.timeout.ms` (default 9000). */
  sessionTimeoutMs?: number;
  /**
   * How long starting waits for another live registration of the id to go away (default: the lease
   * TTL plus 2 s, time for the session of this broker's previous run to expire in the store).
   */
  duplicateWaitMs?: number;
  clock?: Clock;
  logger?: ClusterLogger;
}

/**
 * A running registration.
 *
 * @example
 * ```ts
 * const lease = await registration.activeLease(); // waits while the broker registers again
 * ```
 */
export interface BrokerRegistration {
  readonly brokerId: number;
  readonly ttlSeconds: number;
  /** The lease of the current registration, or undefined while the broker registers again. */
  readonly lease: Lease | undefined;
  /** The current lease; while there is none, the next one. Rejects once the registration is closed. */
  activeLease(): Promise<Lease>;
  /** Calls `callback` after each registration that follows a lost lease; returns the remover. */
  onRegistered(callback: (lease: Lease) => void): () => void;
  /** Stops registering and revokes the lease (the broker leaves the cluster at once). */
  close(): Promise<void>;
}

/**
 * Registers the broker and keeps it registered; see the module documentation.
 *
 * @example
 * ```ts
 * const registration = await registerBroker({ store, keys: clusterKeys("dev"), brokerId: 1, url: "ws://b1:9092", clock, logger });
 * ```
 */
export async function registerBroker(options: BrokerRegistrationOptions): Promise<BrokerRegistration> {
  const { store, keys, brokerId, url } = options;
  if (!Number.isInteger(brokerId) || brokerId < 0) throw new RangeError(`Invalid broker id ${brokerId}`);
  const clock = options.clock ?? systemClock();
  const logger = options.logger ?? silentLogger;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_BROKER_SESSION_TIMEOUT_MS;
  const ttlSeconds = sessionTtlSeconds(sessionTimeoutMs);
  const retryMs = Math.max(50, Math.min(1000, Math.floor((ttlSeconds * 1000) / 4)));
  const key = keys.broker(brokerId);
  const value = encodeBrokerRecord({ id: brokerId, url });
  const ownLeases = new Set<string>();
  const registeredListeners = new Set<(lease: Lease) => void>();
  const leaseWaiters = new Set<{ resolve: (lease: Lease) => void; reject: (e: unknown) => void }>();
  const sleepers = new Set<{ timer: TimerHandle; resolve: () => void }>();
  let current: Lease | undefined;
  let closed = false;

  function sleep(ms: number): Promise<void> {
    if (closed) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { timer: clock.setTimer(ms, () => (sleepers.delete(sleeper), resolve())), resolve };
      sleepers.add(sleeper);
    });
  }

  /** One attempt to hold the key under `lease`: true when held, else the entry of whoever holds it. */
  async function attempt(lease: Lease): Promise<true | CoordinationEntry> {
    const result = await store.txn({
      compare: [{ key, target: "createRevision", op: "=", value: 0 }],
      success: [{ type: "put", key, value, lease }],
      failure: [{ type: "get", key }],
    });
    if (result.succeeded) return true;
    const read = result.results[0];
    const holder = read?.type === "get" ? read.entries[0] : undefined;
    if (holder === undefined) return attempt(lease); // deleted meanwhile
    if (holder.lease === lease.id) return true;
    if (holder.lease === null || !ownLeases.has(holder.lease)) return holder;
    // Our previous lease, lost on our side but not expired in the store yet: take the key over.
    const takeOver = await store.txn({
      compare: [{ key, target: "modRevision", op: "=", value: holder.modRevision }],
      success: [{ type: "put", key, value, lease }],
    });
    return takeOver.succeeded ? true : attempt(lease);
  }

  function holderText(holder: CoordinationEntry): string {
    return `broker id ${brokerId} is registered by another live broker (${holder.text.slice(0, 200)}, lease ${holder.lease ?? "none"})`;
  }

  function adopt(lease: Lease, again: boolean): void {
    current = lease;
    lease.onLost((loss) => {
      if (current !== lease || closed) return;
      current = undefined;
      logger("warn", `Broker ${brokerId} lost its cluster session (${loss.message}); registering again`);
      void registerAgain();
    });
    for (const waiter of [...leaseWaiters]) waiter.resolve(lease);
    leaseWaiters.clear();
    if (!again) return;
    logger("info", `Broker ${brokerId} registered again under lease ${lease.id}`);
    for (const listener of [...registeredListeners]) {
      try {
        listener(lease);
      } catch (error) {
        logger("error", `A registration listener failed: ${errorMessage(error)}`);
      }
    }
  }

  async function grant(): Promise<Lease> {
    const lease = await store.grantLease(ttlSeconds);
    ownLeases.add(lease.id);
    return lease;
  }

  async function registerAgain(): Promise<void> {
    let backoff = Math.min(100, retryMs);
    let reported = false;
    while (!closed) {
      let lease: Lease | undefined;
      try {
        lease = await grant();
        for (;;) {
          if (closed) break;
          if (lease.state !== "active") break;
          const outcome = await attempt(lease);
          if (outcome === true) {
            if (closed) break;
            adopt(lease, true);
            return;
          }
          if (!reported) logger("error", `Cannot register again: ${holderText(outcome)}; retrying`);
          reported = true;
          await sleep(retryMs);
        }
      } catch (error) {
        logger("warn", `Broker ${brokerId} cannot register yet: ${errorMessage(error)}`);
      }
      if (closed) {
        await lease?.revoke().catch(() => undefined);
        return;
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, ttlSeconds * 1000);
    }
  }

  const first = await grant();
  const deadline = clock.monotonic() + (options.duplicateWaitMs ?? ttlSeconds * 1000 + 2000);
  try {
    for (;;) {
      const outcome = await attempt(first);
      if (outcome === true) break;
      if (clock.monotonic() >= deadline || first.state !== "active") {
        throw new EdgelogError("DUPLICATE_BROKER_REGISTRATION", `Cannot start: ${holderText(outcome)}. Each broker needs its own broker.id`, {
          details: { brokerId },
        });
      }
      await sleep(Math.min(retryMs, Math.max(1, deadline - clock.monotonic())));
    }
  } catch (error) {
    await first.revoke().catch(() => undefined);
    throw error;
  }
  adopt(first, false);
  logger("info", `Broker ${brokerId} registered at ${url} (session ${ttlSeconds} s, lease ${first.id})`);

  return {
    brokerId,
    ttlSeconds,
    get lease() {
      return current;
    },
    activeLease() {
      if (closed) return Promise.reject(new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The broker registration is closed", { retriable: false }));
      if (current !== undefined && current.state === "active") return Promise.resolve(current);
      return new Promise((resolve, reject) => leaseWaiters.add({ resolve, reject }));
    },
    onRegistered(callback) {
      registeredListeners.add(callback);
      return () => void registeredListeners.delete(callback);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sleeper of sleepers) {
        clock.clearTimer(sleeper.timer);
        sleeper.resolve();
      }
      sleepers.clear();
      for (const waiter of leaseWaiters) waiter.reject(new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The broker registration is closed", { retriable: false }));
      leaseWaiters.clear();
      const lease = current;
      current = undefined;
      if (lease !== undefined && lease.state === "active") await lease.revoke().catch(() => undefined);
    },
  };
}
