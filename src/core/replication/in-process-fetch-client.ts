/**
 * A {@link ReplicaFetchClient} that calls a leader's {@link ReplicaFetchServer} in the same process:
 * for tests and for clusters of brokers sharing one process. Errors reach the follower as the leader
 * threw them; an aborted signal rejects the call at once.
 *
 * @example
 * ```ts
 * const factory: ReplicaFetchClientFactory = (broker) => inProcessFetchClient(() => managers.get(broker.id));
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ReplicaFetchClient,
  ReplicaFetchRequest,
  ReplicaFetchResponse,
  ReplicaFetchServer,
} from "./replica-transport.ts";

/**
 * Creates the client; `server` is looked up on every call, and `undefined` (the broker is down)
 * answers NETWORK_EXCEPTION.
 *
 * @example
 * ```ts
 * const client = inProcessFetchClient(() => leaderManager);
 * const reply = await client.fetch(request);
 * ```
 */
export function inProcessFetchClient(server: () => ReplicaFetchServer | undefined): ReplicaFetchClient {
  let closed = false;
  const target = (): ReplicaFetchServer => {
    if (closed) throw new EdgelogError("NETWORK_EXCEPTION", "The replica fetch client is closed");
    const found = server();
    if (found === undefined) throw new EdgelogError("NETWORK_EXCEPTION", "The leader broker cannot be reached");
    return found;
  };
  return {
    async fetch(request: ReplicaFetchRequest, signal?: AbortSignal): Promise<ReplicaFetchResponse> {
      return abortable(target().handleReplicaFetch(request, signal), signal);
    },
    async offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest, signal?: AbortSignal): Promise<OffsetForLeaderEpochResponse> {
      return abortable(target().handleOffsetForLeaderEpoch(request), signal);
    },
    close() {
      closed = true;
    },
  };
}

/** Settles with `work`, or rejects with NETWORK_EXCEPTION as soon as `signal` aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  const aborted = (): EdgelogError => new EdgelogError("NETWORK_EXCEPTION", "The replica request was aborted");
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
