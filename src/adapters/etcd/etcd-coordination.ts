/**
 * {@link Coordination} over etcd v3's JSON gateway (etcd 3.4 or later: paths under `/v3/`), with the
 * standard `fetch` only, so it runs on Node 20+, Bun and Deno without a gRPC stack.
 *
 * - Endpoints are tried in turn: a call sticks to the endpoint that last answered and moves on when
 *   it fails; after a round over all of them it backs off (50 ms doubling to 1 s) until
 *   `requestTimeoutMs` has passed. Errors: see `etcd-http.ts` (COORDINATOR_NOT_AVAILABLE,
 *   REQUEST_TIMED_OUT, INVALID_REQUEST, KAFKA_STORAGE_ERROR, UNKNOWN_SERVER_ERROR).
 * - Gets, puts, deletes and lease calls are retried after any transient failure (a repeated put
 *   leaves the same value, at a later revision); a txn only when the connection was refused, since
 *   repeating one that was applied would report a wrong outcome: otherwise it fails with
 *   REQUEST_TIMED_OUT and the caller reads again.
 * - Leases are kept alive every ttl/3 (`/v3/lease/keepalive`, one request per renewal) and reported
 *   lost when etcd no longer knows them or no renewal succeeded within the TTL.
 * - Watches stream `/v3/watch` and resume after the last delivered revision (see `etcd-watch.ts`).
 *
 * @example
 * ```ts
 * const store = etcdCoordination({ endpoints: "http://10.0.0.1:2379,http://10.0.0.2:2379" });
 * const lease = await store.grantLease(10);
 * await store.put("/edgelog/brokers/1", JSON.stringify({ listener: "ws://b1:9092" }), { lease });
 * ```
 * @module
 */
import { checkFromRevision, checkKey, checkLeaseTtl, checkPrefix, validateTxn } from "../../core/cluster/coordination-checks.ts";
import { keepLeaseAlive, type KeptLease } from "../../core/cluster/lease-keeper.ts";
import { EdgelogError, isEdgelogError } from "../../core/errors.ts";
import { systemClock, type Clock } from "../../core/ports/clock.ts";
import { leaseIdOf, leaseNotFound, type Coordination, type Lease, type Txn, type Watch } from "../../core/ports/coordination.ts";
import {
  arrayField,
  decodeEntry,
  decodeTxnResults,
  encodeKey,
  headerRevision,
  idField,
  int64Field,
  putRequest,
  rangeRequest,
  txnRequest,
} from "./etcd-codec.ts";
import { etcdHttp } from "./etcd-http.ts";
import { startEtcdWatch } from "./etcd-watch.ts";

/**
 * Options for {@link etcdCoordination}.
 *
 * @example
 * ```ts
 * etcdCoordination({ endpoints: "http://10.0.0.1:2379,http://10.0.0.2:2379", requestTimeoutMs: 3000 });
 * ```
 */
export interface EtcdCoordinationOptions {
  /** The client URLs of the etcd members: an array, or comma-separated as in `controller.etcd.endpoints`. */
  endpoints: string | readonly string[];
  /** Timers for timeouts, backoff and keep-alives (default: the system clock). */
  clock?: Clock;
  /** How long one call may take, retries over endpoints included (default 5000 ms). */
  requestTimeoutMs?: number;
  /** The `fetch` to use (default the global one). */
  fetch?: typeof fetch;
}

/**
 * Parses etcd endpoints: comma-separated `http://host:port` or `https://host:port` URLs, blanks
 * ignored, a trailing "/" dropped. Anything else is INVALID_CONFIG naming the bad entry.
 *
 * @example
 * ```ts
 * parseEtcdEndpoints("http://a:2379, http://b:2379/"); // ["http://a:2379", "http://b:2379"]
 * ```
 */
export function parseEtcdEndpoints(value: string | readonly string[]): string[] {
  const items = (typeof value === "string" ? value.split(",") : [...value]).map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0) throw new EdgelogError("INVALID_CONFIG", "No etcd endpoint is given: expected http://host:port[,http://host:port...]");
  return items.map((item) => {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "" || url.username !== "") {
      throw new EdgelogError("INVALID_CONFIG", `Invalid etcd endpoint "${item}": expected http://host:port or https://host:port`);
    }
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  });
}

/**
 * Connects to etcd. Nothing is sent until the first call.
 *
 * @example
 * ```ts
 * const store = etcdCoordination({ endpoints: ["http://127.0.0.1:2379"], requestTimeoutMs: 3000 });
 * const { entries } = await store.getPrefix("/edgelog/brokers/");
 * await store.close();
 * ```
 */
export function etcdCoordination(options: EtcdCoordinationOptions): Coordination {
  const clock = options.clock ?? systemClock();
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) throw new RangeError("requestTimeoutMs must be a positive number");
  const http = etcdHttp({
    endpoints: parseEtcdEndpoints(options.endpoints),
    clock,
    requestTimeoutMs,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const leases = new Set<KeptLease>();
  const watches = new Set<Watch>();

  async function getPrefix(prefix: string) {
    const answer = await http.call("/v3/kv/range", rangeRequest(checkPrefix(prefix)), "always");
    return { entries: arrayField(answer, "kvs").map(decodeEntry), revision: headerRevision(answer) };
  }

  return {
    async get(key) {
      const answer = await http.call("/v3/kv/range", { key: encodeKey(checkKey(key)) }, "always");
      const kv = arrayField(answer, "kvs")[0];
      return { entry: kv === undefined ? null : decodeEntry(kv), revision: headerRevision(answer) };
    },

    getPrefix,

    async put(key, value, putOptions = {}) {
      const lease = putOptions.lease === undefined ? undefined : leaseIdOf(putOptions.lease);
      try {
        const answer = await http.call("/v3/kv/put", putRequest(checkKey(key), value, lease), "always");
        return { revision: headerRevision(answer) };
      } catch (error) {
        throw lease !== undefined && isLeaseNotFound(error) ? leaseNotFound(lease) : error;
      }
    },

    async delete(key) {
      const answer = await http.call("/v3/kv/deleterange", { key: encodeKey(checkKey(key)) }, "always");
      return { revision: headerRevision(answer), deleted: int64Field(answer, "deleted") };
    },

    async txn(txn) {
      validateTxn(txn);
      let answer;
      try {
        answer = await http.call("/v3/kv/txn", txnRequest(txn), "if-not-sent");
      } catch (error) {
        throw isLeaseNotFound(error) ? leaseNotFound(leaseIdsOf(txn)) : error;
      }
      const succeeded = answer["succeeded"] === true;
      return { succeeded, revision: headerRevision(answer), results: decodeTxnResults(answer, succeeded ? txn.success : (txn.failure ?? [])) };
    },

    async grantLease(ttlSeconds): Promise<Lease> {
      checkLeaseTtl(ttlSeconds);
      const grantedAt = clock.monotonic();
      const answer = await http.call("/v3/lease/grant", { TTL: String(ttlSeconds) }, "always");
      if (typeof answer["error"] === "string" && answer["error"] !== "") {
        throw new EdgelogError("UNKNOWN_SERVER_ERROR", `etcd refused to grant a lease: ${answer["error"]}`);
      }
      const id = idField(answer, "ID");
      const granted = int64Field(answer, "TTL") || ttlSeconds;
      const renewalTimeoutMs = Math.max(200, Math.floor((granted * 1000) / 3));
      const lease = keepLeaseAlive({
        id,
        ttlSeconds: granted,
        clock,
        grantedAt,
        keepAlive: async () => int64Field(await http.call("/v3/lease/keepalive", { ID: id }, "always", renewalTimeoutMs), "TTL") > 0,
        revoke: async () => {
          try {
            await http.call("/v3/lease/revoke", { ID: id }, "always");
          } catch (error) {
            if (!isLeaseNotFound(error)) throw error;
          }
        },
        onStop: () => leases.delete(lease),
      });
      leases.add(lease);
      return lease;
    },

    async watchPrefix(prefix, watchOptions, onUpdate) {
      checkPrefix(prefix);
      checkFromRevision(watchOptions.fromRevision);
      const started = await startEtcdWatch({ http, clock, requestTimeoutMs, readPrefix: getPrefix }, prefix, watchOptions, onUpdate);
      const watch: Watch = {
        cancel() {
          started.cancel();
          watches.delete(watch);
        },
      };
      watches.add(watch);
      return watch;
    },

    async close() {
      for (const watch of [...watches]) watch.cancel();
      for (const lease of [...leases]) lease.close();
      http.close();
    },
  };
}

/** Whether an error is etcd's "requested lease not found" (gRPC NotFound). */
function isLeaseNotFound(error: unknown): boolean {
  if (!isEdgelogError(error, "INVALID_REQUEST")) return false;
  const { grpcCode, etcdMessage } = error.details ?? {};
  return grpcCode === 5 && typeof etcdMessage === "string" && /lease not found/i.test(etcdMessage);
}

function leaseIdsOf(txn: Txn): string {
  const ids = new Set<string>();
  for (const op of [...txn.success, ...(txn.failure ?? [])]) if (op.type === "put" && op.lease !== undefined) ids.add(leaseIdOf(op.lease));
  return [...ids].join(" or ") || "(none)";
}
