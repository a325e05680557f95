/**
 * The coordination store a cluster of brokers shares: a small, strongly consistent key-value store
 * with revisions, leases and watches. It is shaped like etcd v3 without depending on it: the etcd
 * adapter (`src/adapters/etcd/etcd-coordination.ts`) implements it over etcd's JSON gateway and
 * `src/core/cluster/memory-coordination.ts` in memory for tests.
 *
 * The model:
 * - Every change increments the store's `revision` once (a transaction with several writes too).
 *   Each entry records the revision that created it (`createRevision`), the one that last changed it
 *   (`modRevision`) and how many times it was written since its creation (`version`).
 * - A lease is granted with a time to live; the implementation keeps it alive every `ttl/3` seconds.
 *   Keys put under a lease disappear with it. A lease whose keep-alives fail for longer than its TTL
 *   is reported lost through {@link Lease.onLost}.
 * - A watch delivers the changes under a prefix in revision order, resumes where it stopped after a
 *   lost connection, and when the store has compacted the revisions it missed, delivers a `resync`
 *   with the current entries instead.
 *
 * Keys are strings (compared and sorted by their UTF-8 bytes); values are bytes, given as bytes or as
 * a string stored as UTF-8. Lease ids are decimal strings: etcd's are int64 beyond 2^53.
 *
 * @example
 * ```ts
 * const lease = await store.grantLease(10);
 * await store.put("/edgelog/brokers/1", JSON.stringify({ host: "b1", port: 9092 }), { lease });
 * const { entries, revision } = await store.getPrefix("/edgelog/brokers/");
 * const watch = await store.watchPrefix("/edgelog/brokers/", { fromRevision: revision + 1 }, (update) => {
 *   if (update.type === "events") for (const e of update.events) console.log(e.type, e.key);
 * });
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";

/**
 * A value as a caller gives it: bytes, or a string stored as UTF-8.
 *
 * @example
 * ```ts
 * await store.put("/a", "text");
 * await store.put("/b", new Uint8Array([1, 2]));
 * ```
 */
export type CoordinationValue = Uint8Array | string;

/**
 * A lease, or its id, for the `lease` option of a put.
 *
 * @example
 * ```ts
 * await store.put("/a", "1", { lease });      // the lease
 * await store.put("/a", "1", { lease: lease.id }); // or its id
 * ```
 */
export type LeaseRef = string | { readonly id: string };

/**
 * One key as the store holds it.
 *
 * @example
 * ```ts
 * const { entry } = await store.get("/edgelog/controller");
 * if (entry) console.log(JSON.parse(entry.text), entry.modRevision, entry.lease);
 * ```
 */
export interface CoordinationEntry {
  readonly key: string;
  readonly value: Uint8Array;
  /** `value` decoded as UTF-8 (replacement characters where it is not UTF-8). */
  readonly text: string;
  /** The revision of the put that created the key (since its last deletion). */
  readonly createRevision: number;
  /** The revision of the last put to the key. */
  readonly modRevision: number;
  /** Puts since the key's creation, 1 after the first. */
  readonly version: number;
  /** The id of the lease the key is attached to, or null. */
  readonly lease: string | null;
}

/**
 * What {@link Coordination.get} answers.
 *
 * @example
 * ```ts
 * const { entry, revision } = await store.get("/edgelog/controller");
 * ```
 */
export interface GetResult {
  /** The entry, or null when the key does not exist. */
  entry: CoordinationEntry | null;
  /** The store's revision when it was read. */
  revision: number;
}

/**
 * What {@link Coordination.getPrefix} answers.
 *
 * @example
 * ```ts
 * const { entries, revision } = await store.getPrefix("/edgelog/brokers/");
 * const ids = entries.map((e) => e.key.slice("/edgelog/brokers/".length));
 * ```
 */
export interface RangeResult {
  /** Every entry whose key starts with the prefix, sorted by key. */
  entries: CoordinationEntry[];
  /** The store's revision when they were read. */
  revision: number;
}

/**
 * Options for {@link Coordination.put}.
 *
 * @example
 * ```ts
 * await store.put("/edgelog/brokers/1", "ws://b1:9092", { lease });
 * ```
 */
export interface PutOptions {
  /** Attaches the key to this lease; without it a put detaches the key from any lease. */
  lease?: LeaseRef;
}

/**
 * A condition of a transaction: `target` of `key` compared with `value`.
 *
 * @example
 * ```ts
 * { key: "/edgelog/controller", target: "createRevision", op: "=", value: 0 } // the key does not exist
 * ```
 */
export type TxnCompare =
  | {
      key: string;
      /** A missing key has revisions and version 0, so `createRevision = 0` means "does not exist". */
      target: "createRevision" | "modRevision" | "version";
      op: "=" | "!=" | "<" | ">";
      value: number;
    }
  | {
      key: string;
      /** Bytewise comparison. Any comparison with the value of a missing key is false. */
      target: "value";
      op: "=" | "!=" | "<" | ">";
      value: CoordinationValue;
    };

/**
 * An operation of a transaction branch. Reads see the branch's earlier writes.
 *
 * @example
 * ```ts
 * [{ type: "put", key: "/a", value: "1", lease }, { type: "delete", key: "/b" }, { type: "getPrefix", prefix: "/c/" }]
 * ```
 */
export type TxnOp =
  | { type: "put"; key: string; value: CoordinationValue; lease?: LeaseRef }
  | { type: "delete"; key: string }
  | { type: "get"; key: string }
  | { type: "getPrefix"; prefix: string };

/**
 * The result of one {@link TxnOp}, at the same position.
 *
 * @example
 * ```ts
 * const read = result.results[1];
 * if (read?.type === "get") console.log(read.entries.length);
 * ```
 */
export type TxnOpResult =
  | { type: "put" }
  | { type: "delete"; deleted: number }
  /** For `get` (zero or one entry) and `getPrefix`. */
  | { type: "get"; entries: CoordinationEntry[] };

/**
 * A transaction: when every comparison holds, `success` runs, otherwise `failure`, atomically.
 * A branch may not write the same key twice (INVALID_REQUEST); etcd allows 128 operations per branch.
 *
 * @example
 * ```ts
 * await store.txn({
 *   compare: [{ key: "/p/orders/0", target: "modRevision", op: "=", value: 41 }],
 *   success: [{ type: "put", key: "/p/orders/0", value: JSON.stringify(state) }],
 *   failure: [{ type: "get", key: "/p/orders/0" }],
 * });
 * ```
 */
export interface Txn {
  compare: TxnCompare[];
  success: TxnOp[];
  failure?: TxnOp[];
}

/**
 * What {@link Coordination.txn} answers.
 *
 * @example
 * ```ts
 * const { succeeded, revision, results } = await store.txn(txn);
 * ```
 */
export interface TxnResult {
  /** Whether the comparisons held (so `success` ran). */
  succeeded: boolean;
  /** The store's revision after the transaction. */
  revision: number;
  /** One result per operation of the branch that ran. */
  results: TxnOpResult[];
}

/**
 * Why a lease was lost.
 *
 * @example
 * ```ts
 * lease.onLost(({ reason, message }) => console.warn(reason, message));
 * ```
 */
export interface LeaseLoss {
  /** "expired": the store no longer knows the lease; "unreachable": no keep-alive succeeded within its TTL. */
  reason: "expired" | "unreachable";
  message: string;
}

/**
 * A granted lease, kept alive by the implementation until it is lost, revoked or the store closed.
 *
 * @example
 * ```ts
 * const lease = await store.grantLease(10);
 * lease.onLost((loss) => console.warn(`broker session lost: ${loss.message}`));
 * await lease.revoke(); // deletes every key attached to it
 * ```
 */
export interface Lease {
  readonly id: string;
  /** The TTL the store granted (it may round a request up). */
  readonly ttlSeconds: number;
  /** "active" while kept alive; "lost", "revoked" and "closed" are final. */
  readonly state: "active" | "lost" | "revoked" | "closed";
  /**
   * Calls `callback` once when the lease is lost (not when revoked or closed); at once, asynchronously,
   * when it is lost already. Returns a function that removes the callback.
   */
  onLost(callback: (loss: LeaseLoss) => void): () => void;
  /** Stops the keep-alives and revokes the lease, deleting its keys. A lease the store no longer has is not an error. */
  revoke(): Promise<void>;
}

/**
 * A change under a watched prefix.
 *
 * @example
 * ```ts
 * for (const e of update.events) if (e.type === "PUT") state.set(e.key, e.entry.text); else state.delete(e.key);
 * ```
 */
export type WatchEvent =
  | { type: "PUT"; key: string; revision: number; entry: CoordinationEntry }
  | { type: "DELETE"; key: string; revision: number };

/**
 * What a watch delivers: changes in revision order (the changes of one revision always in the same
 * update), or, after the store compacted revisions the watch needed, the current entries under the
 * prefix: the caller replaces what it knew, and the watch continues after `revision`.
 *
 * @example
 * ```ts
 * await store.watchPrefix("/b/", {}, (update) => {
 *   if (update.type === "resync") state = new Map(update.entries.map((e) => [e.key, e.text]));
 *   else for (const e of update.events) apply(e);
 * });
 * ```
 */
export type WatchUpdate =
  | { type: "events"; events: WatchEvent[] }
  | { type: "resync"; entries: CoordinationEntry[]; revision: number };

/**
 * Options for {@link Coordination.watchPrefix}.
 *
 * @example
 * ```ts
 * await store.watchPrefix("/b/", { fromRevision: revision + 1, onError: (e) => console.warn(e) }, onUpdate);
 * ```
 */
export interface WatchOptions {
  /** The first revision to deliver (default: the changes after the watch starts). */
  fromRevision?: number;
  /** Told about connection trouble (the watch keeps retrying) and about errors thrown by the callback. */
  onError?: (error: unknown) => void;
}

/**
 * A running watch.
 *
 * @example
 * ```ts
 * const watch = await store.watchPrefix("/b/", {}, onUpdate);
 * watch.cancel();
 * ```
 */
export interface Watch {
  /** Stops the watch; no update is delivered after it returns. */
  cancel(): void;
}

/**
 * The operations the cluster logic needs from its coordination store. Failures are
 * {@link EdgelogError}s: COORDINATOR_NOT_AVAILABLE when the store cannot be reached,
 * REQUEST_TIMED_OUT when a write's outcome is unknown, INVALID_REQUEST for a request the store
 * refuses (see {@link leaseNotFound} for a dead lease).
 *
 * @example
 * ```ts
 * const { entry } = await store.get("/edgelog/partitions/orders/0");
 * const result = await store.txn({
 *   compare: [{ key: entry!.key, target: "modRevision", op: "=", value: entry!.modRevision }],
 *   success: [{ type: "put", key: entry!.key, value: JSON.stringify(newState) }],
 * });
 * if (!result.succeeded) console.log("someone else changed it; read again");
 * ```
 */
export interface Coordination {
  get(key: string): Promise<GetResult>;
  getPrefix(prefix: string): Promise<RangeResult>;
  put(key: string, value: CoordinationValue, options?: PutOptions): Promise<{ revision: number }>;
  delete(key: string): Promise<{ revision: number; deleted: number }>;
  txn(txn: Txn): Promise<TxnResult>;
  /** Grants a lease of `ttlSeconds` (a positive integer) and keeps it alive. */
  grantLease(ttlSeconds: number): Promise<Lease>;
  /** Starts a watch; resolves once it is established (changes after that are delivered). */
  watchPrefix(prefix: string, options: WatchOptions, onUpdate: (update: WatchUpdate) => void | Promise<void>): Promise<Watch>;
  /** Stops every keep-alive and watch of this client without revoking its leases (they expire). */
  close(): Promise<void>;
}

/**
 * The error for a put or keep-alive naming a lease the store does not have (expired or revoked):
 * INVALID_REQUEST with `details.leaseNotFound` set to the lease id.
 *
 * @example
 * ```ts
 * try { await store.put(key, value, { lease }); } catch (e) {
 *   if (isEdgelogError(e) && e.details?.leaseNotFound) await reRegister();
 * }
 * ```
 */
export function leaseNotFound(leaseId: string): EdgelogError {
  return new EdgelogError("INVALID_REQUEST", `Lease ${leaseId} is not granted or has expired`, {
    details: { leaseNotFound: leaseId },
  });
}

/**
 * The id of a {@link LeaseRef}.
 *
 * @example
 * ```ts
 * leaseIdOf(lease) === leaseIdOf(lease.id); // true
 * ```
 */
export function leaseIdOf(lease: LeaseRef): string {
  return typeof lease === "string" ? lease : lease.id;
}
