/**
 * The server side of the in-memory coordination store: keys with revisions, leases that expire on an
 * injected clock, and a bounded history of changes for watches. It follows etcd v3's rules (one
 * revision per change, version reset by deletion, all keys of an expired lease deleted at one
 * revision, a watch from a compacted revision answered with a resync). Clients reach it through
 * `memoryCoordinationStore().connect()` in `memory-coordination.ts`.
 *
 * @example
 * ```ts
 * const kv = memoryKvStore({ clock: manualClock() });
 * kv.txn({ compare: [], success: [{ type: "put", key: "a", value: "1" }] }).revision; // 2
 * ```
 * @module
 */
import type { Clock, TimerHandle } from "../ports/clock.ts";
import {
  leaseIdOf,
  leaseNotFound,
  type CoordinationEntry,
  type Txn,
  type TxnCompare,
  type TxnOp,
  type TxnOpResult,
  type TxnResult,
  type WatchEvent,
} from "../ports/coordination.ts";
import { checkKey, checkPrefix, validateTxn } from "./coordination-checks.ts";
import { compareBytes, compareKeys, coordinationEntry, valueBytes } from "./coordination-entry.ts";

/**
 * Options for {@link memoryKvStore}.
 *
 * @example
 * ```ts
 * memoryKvStore({ clock: manualClock(), historyLimit: 10 });
 * ```
 */
export interface MemoryKvStoreOptions {
  clock: Clock;
  /** How many revisions of history to keep for watches before compacting the oldest (default 10,000). */
  historyLimit?: number;
}

/**
 * What a watch that asks for changes from a revision gets.
 *
 * @example
 * ```ts
 * const answer = kv.history("/b/", next);
 * if (answer.compacted) resync(); else for (const batch of answer.batches) deliver(batch);
 * ```
 */
export type HistoryAnswer = { compacted: true } | { compacted: false; batches: WatchEvent[][] };

/**
 * The in-memory store's state and operations; every operation is synchronous.
 *
 * @example
 * ```ts
 * const kv = memoryKvStore({ clock });
 * const { revision } = kv.txn({ compare: [], success: [{ type: "put", key: "a", value: "1" }] });
 * ```
 */
export interface MemoryKvStore {
  readonly revision: number;
  /** Revisions below this one are gone from the history. */
  readonly compactRevision: number;
  /** False between {@link MemoryKvStore.stop} and {@link MemoryKvStore.start}. */
  readonly running: boolean;
  get(key: string): CoordinationEntry | null;
  range(prefix: string): CoordinationEntry[];
  txn(txn: Txn): TxnResult;
  grant(ttlSeconds: number): { id: string; ttlSeconds: number };
  /** Renews a lease; false when the store does not have it. */
  keepAlive(id: string): boolean;
  /** Revokes a lease and deletes its keys; false when the store does not have it. */
  revoke(id: string): boolean;
  /** The changes under `prefix` from revision `from` on, one batch per revision. */
  history(prefix: string, from: number): HistoryAnswer;
  /** Forgets the history below `revision`. */
  compact(revision: number): void;
  /** The store goes down: leases stop expiring. */
  stop(): void;
  /** The store comes back: like etcd after a restart, every lease gets its whole TTL again. */
  start(): void;
  /** Calls `listener` after every change of revision or state; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

interface StoredKey {
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
  version: number;
  lease: string | null;
}

interface StoredLease {
  id: string;
  ttlSeconds: number;
  keys: Set<string>;
  timer: TimerHandle | undefined;
}

/**
 * Creates an empty store at revision 1, like a fresh etcd.
 *
 * @example
 * ```ts
 * const kv = memoryKvStore({ clock: systemClock(), historyLimit: 100 });
 * const { id } = kv.grant(5);
 * ```
 */
export function memoryKvStore(options: MemoryKvStoreOptions): MemoryKvStore {
  const { clock } = options;
  const historyLimit = options.historyLimit ?? 10_000;
  if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new RangeError("historyLimit must be a positive integer");
  const keys = new Map<string, StoredKey>();
  const leases = new Map<string, StoredLease>();
  const history: { revision: number; events: WatchEvent[] }[] = [];
  const listeners = new Set<() => void>();
  let revision = 1;
  let compactRevision = 0;
  let running = true;
  let leaseCounter = 0n;

  const entryOf = (key: string, stored: StoredKey): CoordinationEntry =>
    coordinationEntry({
      key,
      value: stored.value,
      createRevision: stored.createRevision,
      modRevision: stored.modRevision,
      version: stored.version,
      lease: stored.lease,
    });

  function notify(): void {
    for (const listener of [...listeners]) listener();
  }

  function commit(events: WatchEvent[]): void {
    history.push({ revision, events });
    if (history.length > historyLimit) {
      history.splice(0, history.length - historyLimit);
      compactRevision = history[0]!.revision;
    }
    notify();
  }

  function range(prefix: string): CoordinationEntry[] {
    const found: CoordinationEntry[] = [];
    for (const [key, stored] of keys) if (key.startsWith(prefix)) found.push(entryOf(key, stored));
    return found.sort((a, b) => compareKeys(a.key, b.key));
  }

  function holds(compare: TxnCompare): boolean {
    const stored = keys.get(checkKey(compare.key));
    let order: number;
    if (compare.target === "value") {
      if (stored === undefined) return false;
      order = compareBytes(stored.value, valueBytes(compare.value));
    } else {
      if (typeof compare.value !== "number" || !Number.isInteger(compare.value)) {
        throw new TypeError(`Cannot compare ${compare.target} of "${compare.key}" with a non-integer`);
      }
      const actual = stored === undefined ? 0 : stored[compare.target];
      order = Math.sign(actual - compare.value);
    }
    switch (compare.op) {
      case "=": return order === 0;
      case "!=": return order !== 0;
      case "<": return order < 0;
      case ">": return order > 0;
      default: throw new TypeError(`Unknown comparison "${String((compare as { op: unknown }).op)}"`);
    }
  }

  function detach(key: string, stored: StoredKey): void {
    if (stored.lease !== null) leases.get(stored.lease)?.keys.delete(key);
  }

  function deleteKeys(names: Iterable<string>, nextRevision: number, events: WatchEvent[]): void {
    for (const key of names) {
      const stored = keys.get(key);
      if (stored === undefined) continue;
      detach(key, stored);
      keys.delete(key);
      events.push({ type: "DELETE", key, revision: nextRevision });
    }
  }

  function apply(ops: TxnOp[]): { results: TxnOpResult[]; events: WatchEvent[] } {
    for (const op of ops) {
      if (op.type === "put" && op.lease !== undefined && !leases.has(leaseIdOf(op.lease))) throw leaseNotFound(leaseIdOf(op.lease));
    }
    const next = revision + 1;
    const events: WatchEvent[] = [];
    const results: TxnOpResult[] = [];
    for (const op of ops) {
      switch (op.type) {
        case "put": {
          const old = keys.get(op.key);
          if (old !== undefined) detach(op.key, old);
          const lease = op.lease === undefined ? null : leaseIdOf(op.lease);
          const stored: StoredKey = {
            value: valueBytes(op.value).slice(),
            createRevision: old?.createRevision ?? next,
            modRevision: next,
            version: (old?.version ?? 0) + 1,
            lease,
          };
          keys.set(op.key, stored);
          if (lease !== null) leases.get(lease)!.keys.add(op.key);
          events.push({ type: "PUT", key: op.key, revision: next, entry: entryOf(op.key, stored) });
          results.push({ type: "put" });
          break;
        }
        case "delete": {
          const before = events.length;
          deleteKeys([op.key], next, events);
          results.push({ type: "delete", deleted: events.length - before });
          break;
        }
        case "get": {
          const stored = keys.get(op.key);
          results.push({ type: "get", entries: stored === undefined ? [] : [entryOf(op.key, stored)] });
          break;
        }
        case "getPrefix":
          results.push({ type: "get", entries: range(op.prefix) });
          break;
      }
    }
    return { results, events };
  }

  function expire(id: string): void {
    const lease = leases.get(id);
    if (lease === undefined) return;
    if (lease.timer !== undefined) clock.clearTimer(lease.timer);
    leases.delete(id);
    const events: WatchEvent[] = [];
    deleteKeys([...lease.keys].sort(compareKeys), revision + 1, events);
    if (events.length > 0) {
      revision++;
      commit(events);
    }
  }

  function arm(lease: StoredLease): void {
    if (lease.timer !== undefined) clock.clearTimer(lease.timer);
    lease.timer = running ? clock.setTimer(lease.ttlSeconds * 1000, () => expire(lease.id)) : undefined;
  }

  return {
    get revision() {
      return revision;
    },
    get compactRevision() {
      return compactRevision;
    },
    get running() {
      return running;
    },
    get(key) {
      const stored = keys.get(checkKey(key));
      return stored === undefined ? null : entryOf(key, stored);
    },
    range: (prefix) => range(checkPrefix(prefix)),
    txn(txn) {
      validateTxn(txn);
      const succeeded = txn.compare.every(holds);
      const { results, events } = apply(succeeded ? txn.success : txn.failure ?? []);
      if (events.length > 0) {
        revision++;
        commit(events);
      }
      return { succeeded, revision, results };
    },
    grant(ttlSeconds) {
      leaseCounter++;
      const id = (7_587_000_000_000_000_000n + leaseCounter).toString();
      const lease: StoredLease = { id, ttlSeconds, keys: new Set(), timer: undefined };
      leases.set(id, lease);
      arm(lease);
      return { id, ttlSeconds };
    },
    keepAlive(id) {
      const lease = leases.get(id);
      if (lease === undefined) return false;
      arm(lease);
      return true;
    },
    revoke(id) {
      if (!leases.has(id)) return false;
      expire(id);
      return true;
    },
    history(prefix, from) {
      if (from < compactRevision) return { compacted: true };
      let low = 0;
      let high = history.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (history[mid]!.revision < from) low = mid + 1;
        else high = mid;
      }
      const batches: WatchEvent[][] = [];
      for (let i = low; i < history.length; i++) {
        const events = history[i]!.events.filter((e) => e.key.startsWith(prefix));
        if (events.length > 0) batches.push(events);
      }
      return { compacted: false, batches };
    },
    compact(to) {
      if (!Number.isInteger(to) || to > revision) throw new RangeError(`Cannot compact to revision ${to}: the store is at ${revision}`);
      if (to <= compactRevision) return;
      compactRevision = to;
      while (history.length > 0 && history[0]!.revision < to) history.shift();
      notify();
    },
    stop() {
      running = false;
      for (const lease of leases.values()) arm(lease);
      notify();
    },
    start() {
      running = true;
      for (const lease of leases.values()) arm(lease);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
