/**
 * Leader election on a {@link Coordination} store: the leader is whoever created the election key,
 * which lives under the leader's lease. A transaction creates the key only when it does not exist
 * (`createRevision = 0`), so among concurrent campaigners exactly one wins; when the leader's lease
 * is revoked or expires the key disappears and the next campaigner wins.
 *
 * @example
 * ```ts
 * const lease = await store.grantLease(10);
 * const leader = await campaign(store, "/edgelog/controller", JSON.stringify({ brokerId: 1 }), lease);
 * // this broker is the controller until `lease` is lost or revoked
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import {
  leaseIdOf,
  type Coordination,
  type CoordinationEntry,
  type CoordinationValue,
  type Lease,
  type LeaseRef,
  type Watch,
} from "../ports/coordination.ts";

/**
 * What one election attempt found.
 *
 * @example
 * ```ts
 * const { elected, leader } = await electLeader(store, key, "broker-1", lease);
 * ```
 */
export interface ElectionResult {
  /** Whether the election key is held under the campaigner's lease (won now, or held already). */
  elected: boolean;
  /** The key as it stands: the leader's entry (its value names the leader), or null. */
  leader: CoordinationEntry | null;
  /** The store's revision after the attempt. */
  revision: number;
}

/**
 * One election attempt: creates `key` with `value` under `lease` when no one holds it.
 *
 * @example
 * ```ts
 * const { elected, leader } = await electLeader(store, "/edgelog/controller", "broker-1", lease);
 * if (!elected) console.log(`controller is ${leader?.text}`);
 * ```
 */
export async function electLeader(
  store: Coordination,
  key: string,
  value: CoordinationValue,
  lease: LeaseRef,
): Promise<ElectionResult> {
  const id = leaseIdOf(lease);
  const result = await store.txn({
    compare: [{ key, target: "createRevision", op: "=", value: 0 }],
    success: [{ type: "put", key, value, lease: id }, { type: "get", key }],
    failure: [{ type: "get", key }],
  });
  const read = result.results[result.results.length - 1];
  const leader = read?.type === "get" ? (read.entries[0] ?? null) : null;
  return { elected: leader !== null && leader.lease === id, leader, revision: result.revision };
}

/**
 * Options for {@link campaign}.
 *
 * @example
 * ```ts
 * await campaign(store, key, "broker-1", lease, { signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface CampaignOptions {
  /** Gives up the campaign; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Campaigns until elected: tries {@link electLeader}, and while someone else leads, waits for the
 * election key to be deleted and tries again. Resolves to the campaigner's own entry; rejects with
 * COORDINATOR_NOT_AVAILABLE when `lease` is lost first (or was not active at the start). Revoking the
 * lease does not end a waiting campaign: abort it with the signal.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const mine = await campaign(store, "/edgelog/controller", "broker-2", lease, { signal: controller.signal });
 * console.log(`controller since revision ${mine.createRevision}`);
 * ```
 */
export async function campaign(
  store: Coordination,
  key: string,
  value: CoordinationValue,
  lease: Lease,
  options: CampaignOptions = {},
): Promise<CoordinationEntry> {
  for (;;) {
    options.signal?.throwIfAborted();
    if (lease.state !== "active") throw leaseGone(lease, key);
    const attempt = await electLeader(store, key, value, lease);
    if (attempt.elected) return attempt.leader!;
    await waitForDeletion(store, key, attempt.revision + 1, lease, options.signal);
  }
}

/** Resolves once `key` is deleted at `fromRevision` or later (or found missing after a resync). */
async function waitForDeletion(
  store: Coordination,
  key: string,
  fromRevision: number,
  lease: Lease,
  signal: AbortSignal | undefined,
): Promise<void> {
  let watch: Watch | undefined;
  let settled = false;
  let stopLeaseListener = (): void => {};
  let onAbort = (): void => {};
  try {
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(error);
      };
      onAbort = () => finish(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      stopLeaseListener = lease.onLost(() => finish(leaseGone(lease, key)));
      if (signal?.aborted) return finish(signal.reason);
      if (lease.state !== "active") return finish(leaseGone(lease, key));
      store
        .watchPrefix(key, { fromRevision }, (update) => {
          const gone =
            update.type === "events"
              ? update.events.some((e) => e.type === "DELETE" && e.key === key)
              : !update.entries.some((e) => e.key === key);
          if (gone) finish();
        })
        .then(
          (started) => {
            watch = started;
            if (settled) started.cancel();
          },
          (error: unknown) => finish(error),
        );
    });
  } finally {
    settled = true;
    watch?.cancel();
    stopLeaseListener();
    signal?.removeEventListener("abort", onAbort);
  }
}

function leaseGone(lease: Lease, key: string): EdgelogError {
  return new EdgelogError("COORDINATOR_NOT_AVAILABLE", `Lease ${lease.id} is ${lease.state}: cannot campaign for ${key}`);
}
