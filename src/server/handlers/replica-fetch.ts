/**
 * `replicaFetch` (broker-internal): serves a follower broker's fetch of one partition this broker
 * leads, through the replication (`ReplicaManager.handleReplicaFetch`): whole stored batches from
 * the follower's log end up to the leader's, or where the follower's log diverges. The long poll
 * ends with the follower's connection. A single broker has no followers: INVALID_REQUEST.
 *
 * A follower whose broker is not registered in the cluster (its session expired: the cluster holds
 * it dead) is refused with BROKER_ID_NOT_REGISTERED, so that it cannot rejoin an ISR before it has
 * registered again (Kafka's KIP-841 keeps fenced brokers out of ISRs).
 *
 * ```
 * ReplicaFetchRequest  => { id, op: "replicaFetch", topic, partition, fetchOffset, leaderEpoch, lastFetchedEpoch, maxBytes, maxWaitMs, replicaId }
 * ReplicaFetchResponse => { id, topic, partition, batches, highWatermark, logStartOffset, logEndOffset, divergingEpoch? }
 * ```
 *
 * @example
 * ```ts
 * await handleReplicaFetch({ id: 1, op: "replicaFetch", topic: "orders", partition: 0, fetchOffset: 0, leaderEpoch: 0, lastFetchedEpoch: -1, maxBytes: 1 << 20, maxWaitMs: 500, replicaId: 2 }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { replicaFetchResponse, type ReplicaFetchOpRequest } from "../../protocol/ops/replica-fetch.ts";
import type { Handler } from "./handler.ts";
import { replicaServer } from "./offset-for-leader-epoch.ts";

/**
 * Answers `replicaFetch`.
 *
 * @example
 * ```ts
 * INTERNAL_HANDLERS.replicaFetch = handleReplicaFetch;
 * ```
 */
export const handleReplicaFetch: Handler<ReplicaFetchOpRequest> = async (request, { broker, session }) => {
  const { id: _id, op: _op, ...fetch } = request;
  const server = replicaServer(broker, request.op);
  if (broker.view.broker(request.replicaId) === undefined) {
    throw new EdgelogError("BROKER_ID_NOT_REGISTERED", `Broker ${request.replicaId} is not registered in the cluster: its fetches wait until it registers again`, {
      details: { replicaId: request.replicaId },
    });
  }
  const reply = await server.handleReplicaFetch(fetch, session.signal);
  return replicaFetchResponse(request.id, { topic: request.topic, partition: request.partition, ...reply });
};
