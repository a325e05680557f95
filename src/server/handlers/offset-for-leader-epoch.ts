/**
 * `offsetForLeaderEpoch` (broker-internal): tells a follower broker where a leader epoch ends in the
 * log of a partition this broker leads, through the replication
 * (`ReplicaManager.handleOffsetForLeaderEpoch`). A single broker has no followers: INVALID_REQUEST.
 *
 * ```
 * OffsetForLeaderEpochRequest  => { id, op: "offsetForLeaderEpoch", topic, partition, leaderEpoch, currentLeaderEpoch }
 * OffsetForLeaderEpochResponse => { id, topic, partition, leaderEpoch, endOffset }
 * ```
 *
 * @example
 * ```ts
 * await handleOffsetForLeaderEpoch({ id: 2, op: "offsetForLeaderEpoch", topic: "orders", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import type { ReplicaFetchServer } from "../../core/replication/replica-transport.ts";
import { offsetForLeaderEpochResponse, type OffsetForLeaderEpochOpRequest } from "../../protocol/ops/offset-for-leader-epoch.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `offsetForLeaderEpoch`.
 *
 * @example
 * ```ts
 * INTERNAL_HANDLERS.offsetForLeaderEpoch = handleOffsetForLeaderEpoch;
 * ```
 */
export const handleOffsetForLeaderEpoch: Handler<OffsetForLeaderEpochOpRequest> = async (request, { broker }) => {
  const { topic, partition, leaderEpoch, currentLeaderEpoch } = request;
  const answer = await replicaServer(broker, request.op).handleOffsetForLeaderEpoch({ topic, partition, leaderEpoch, currentLeaderEpoch });
  return offsetForLeaderEpochResponse(request.id, topic, partition, answer);
};

/**
 * The replication that serves followers, or INVALID_REQUEST on a broker that runs alone.
 *
 * @example
 * ```ts
 * await replicaServer(broker, "replicaFetch").handleReplicaFetch(request, signal);
 * ```
 */
export function replicaServer(broker: BrokerContext, op: string): ReplicaFetchServer {
  const cluster = broker.cluster;
  if (cluster === undefined) {
    throw new EdgelogError("INVALID_REQUEST", `${op} is an op between the brokers of a cluster; broker ${broker.config.brokerId} runs alone`, {
      details: { field: "op" },
    });
  }
  return cluster.replicas;
}
