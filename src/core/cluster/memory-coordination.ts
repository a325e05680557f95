/**
 * An in-memory {@link Coordination} with etcd's semantics, for fast tests of cluster logic: one
 * store, any number of clients (one per simulated broker), leases that expire on an injected clock,
 * watches that pause while a client is cut off and resume (or resync) when it is back.
 *
 * Test tools: {@link MemoryCoordination.setReachable} cuts one client off; the store's `stop()` and
 * `start()` take the whole store down and up (leases get their whole TTL again on start, as etcd's do
 * after a restart); `compact()` forgets history; `revokeLease()` revokes a lease behind its holder's back.
 *
 * @example
 * ```ts
 * const clock = manualClock();
 * const store = memoryCoordinationStore({ clock });
 * const broker1 = store.connect();
 * const lease = await broker1.grantLease(2);
 * await broker1.put("/brokers/1", "b1:9092", { lease });
 * broker1.setReachable(false);
 * clock.advance(2000); // no keep-alive got through: the lease is lost and /brokers/1 is gone
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { systemClock, type Clock } from "../ports/clock.ts";
import type { Coordination, Lease, Watch, WatchOptions, WatchUpdate } from "../ports/coordination.ts";
import { checkFromRevision, checkLeaseTtl, checkPrefix } from "./coordination-checks.ts";
import { keepLeaseAlive, type KeptLease } from "./lease-keeper.ts";
import { memoryKvStore, type MemoryKvStore } from "./memory-kv-store.ts";

/**
 * Options for {@link memoryCoordinationStore}.
 *
 * @example
 * ```ts
 * memoryCoordinationStore({ clock: manualClock(), historyLimit: 100 });
 * ```
 */
export interface MemoryCoordinationOptions {
  /** Drives lease expiry and keep-alives (default: the system clock). */
  clock?: Clock;
  /** Revisions of history kept for watches (default 10,000). */
  historyLimit?: number;
}

/**
 * A client of the in-memory store.
 *
 * @example
 * ```ts
 * const broker = store.connect();
 * broker.setReachable(false); // a network partition
 * broker.setReachable(true);
 * ```
 */
export interface MemoryCoordination extends Coordination {
  /**
   * Cuts this client off from the store (false) or reconnects it (true). While cut off its calls
   * reject with COORDINATOR_NOT_AVAILABLE, its keep-alives fail and its watches pause.
   */
  setReachable(reachable: boolean): void;
}

/**
 * The shared store and its test tools.
 *
 * @example
 * ```ts
 * const store = memoryCoordinationStore({ clock });
 * store.stop();  // etcd is down
 * store.start(); // and back
 * ```
 */
export interface MemoryCoordinationStore {
  /** A new client, like a broker's connection to etcd. */
  connect(): MemoryCoordination;
  /** The store's current revision. */
  readonly revision: number;
  /** Forgets history below `revision`; watches that still need it get a resync. */
  compact(revision: number): void;
  /** Takes the store down: every call fails, keep-alives fail, leases stop expiring. */
  stop(): void;
  /** Brings it back with its data; every lease gets its whole TTL again. */
  start(): void;
  /** Revokes a lease as if another party did; false when the store does not have it. */
  revokeLease(id: string): boolean;
}

/**
 * Creates an empty in-memory store.
 *
 * @example
 * ```ts
 * const store = memoryCoordinationStore({ clock: manualClock() });
 * const [a, b] = [store.connect(), store.connect()];
 * ```
 */
export function memoryCoordinationStore(options: MemoryCoordinationOptions = {}): MemoryCoordinationStore {
  const clock = options.clock ?? systemClock();
  const kv = memoryKvStore({ clock, ...(options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit }) });
  return {
    connect: () => connectClient(kv, clock),
    get revision() {
      return kv.revision;
    },
    compact: (revision) => kv.compact(revision),
    stop: () => kv.stop(),
    start: () => kv.start(),
    revokeLease: (id) => kv.revoke(id),
  };
}

/**
 * One client of a new in-memory store, when a test needs no more.
 *
 * @example
 * ```ts
 * const store = memoryCoordination();
 * await store.put("a", "1");
 * ```
 */
export function memoryCoordination(options: MemoryCoordinationOptions = {}): MemoryCoordination {
  return memoryCoordinationStore(options).connect();
}

function connectClient(kv: MemoryKvStore, clock: Clock): MemoryCoordination {
  let reachable = true;
  let closed = false;
  const leases = new Set<KeptLease>();
  const watches = new Set<{ cancel(): void; wake(): void }>();
  const available = (): boolean => !closed && reachable && kv.running;

  function unavailable(): EdgelogError {
    return closed
      ? new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The coordination client is closed", { retriable: false })
      : new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The coordination store cannot be reached");
  }

  /** Runs `operation` asynchronously, as a round trip to a real store would. */
  async function call<T>(operation: () => T): Promise<T> {
    await Promise.resolve();
    if (!available()) throw unavailable();
    return operation();
  }

  return {
    get: (key) => call(() => ({ entry: kv.get(key), revision: kv.revision })),
    getPrefix: (prefix) => call(() => ({ entries: kv.range(prefix), revision: kv.revision })),
    put: (key, value, options = {}) =>
      call(() => {
        const op = { type: "put" as const, key, value, ...(options.lease === undefined ? {} : { lease: options.lease }) };
        return { revision: kv.txn({ compare: [], success: [op] }).revision };
      }),
    delete: (key) =>
      call(() => {
        const result = kv.txn({ compare: [], success: [{ type: "delete", key }] });
        const first = result.results[0];
        return { revision: result.revision, deleted: first?.type === "delete" ? first.deleted : 0 };
      }),
    txn: (txn) => call(() => kv.txn(txn)),

    async grantLease(ttlSeconds): Promise<Lease> {
      checkLeaseTtl(ttlSeconds);
      const grantedAt = clock.monotonic();
      const { id } = await call(() => kv.grant(ttlSeconds));
      const lease = keepLeaseAlive({
        id,
        ttlSeconds,
        clock,
        grantedAt,
        keepAlive: () => {
          if (!available()) throw unavailable();
          return kv.keepAlive(id);
        },
        revoke: () => call(() => void kv.revoke(id)),
        onStop: () => leases.delete(lease),
      });
      leases.add(lease);
      return lease;
    },

    async watchPrefix(prefix, options, onUpdate): Promise<Watch> {
      checkPrefix(prefix);
      checkFromRevision(options.fromRevision);
      const start = await call(() => kv.revision);
      const watch = startWatch(kv, prefix, options, onUpdate, options.fromRevision ?? start + 1, available);
      watches.add(watch);
      return {
        cancel() {
          watch.cancel();
          watches.delete(watch);
        },
      };
    },

    async close() {
      closed = true;
      for (const watch of watches) watch.cancel();
      watches.clear();
      for (const lease of [...leases]) lease.close();
    },

    setReachable(value) {
      reachable = value;
      if (value) for (const watch of watches) watch.wake();
    },
  };
}

/**
 * Delivers a watch's updates one at a time, in revision order: the events it has not delivered yet,
 * or a resync when the history it needs is compacted. Runs whenever the store changes.
 */
function startWatch(
  kv: MemoryKvStore,
  prefix: string,
  options: WatchOptions,
  onUpdate: (update: WatchUpdate) => void | Promise<void>,
  from: number,
  available: () => boolean,
): { cancel(): void; wake(): void } {
  let next = from;
  let cancelled = false;
  let pumping = false;
  let again = false;

  async function deliver(update: WatchUpdate): Promise<void> {
    try {
      await onUpdate(update);
    } catch (error) {
      options.onError?.(error);
    }
  }

  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!cancelled && available()) {
          const answer = kv.history(prefix, next);
          if (answer.compacted) {
            const revision = kv.revision;
            const entries = kv.range(prefix);
            next = revision + 1;
            await deliver({ type: "resync", entries, revision });
            continue;
          }
          if (answer.batches.length === 0) {
            next = Math.max(next, kv.revision + 1);
            break;
          }
          for (const events of answer.batches) {
            if (cancelled || !available()) break;
            next = events[events.length - 1]!.revision + 1;
            await deliver({ type: "events", events });
          }
        }
      } while (again && !cancelled);
    } finally {
      pumping = false;
    }
  }

  const wake = (): void => queueMicrotask(() => void pump());
  const unsubscribe = kv.subscribe(wake);
  wake();
  return {
    cancel() {
      cancelled = true;
      unsubscribe();
    },
    wake,
  };
}
