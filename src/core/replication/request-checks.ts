/**
 * Checks of the fields of the requests a leader serves to its followers: they come from the network,
 * so a malformed one gets INVALID_REQUEST naming the field, never a crash.
 *
 * @example
 * ```ts
 * checkReplicaFetchRequest(request); // throws EdgelogError("INVALID_REQUEST") on a bad field
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { OffsetForLeaderEpochRequest, ReplicaFetchRequest } from "./replica-transport.ts";

/**
 * Validates a {@link ReplicaFetchRequest}.
 *
 * @example
 * ```ts
 * checkReplicaFetchRequest({ topic: "t", partition: 0, fetchOffset: -5, leaderEpoch: 1, lastFetchedEpoch: 1, maxBytes: 1, maxWaitMs: 0, replicaId: 2 });
 * // throws INVALID_REQUEST: fetchOffset must be an integer ≥ 0
 * ```
 */
export function checkReplicaFetchRequest(request: ReplicaFetchRequest): void {
  checkObject(request, "replica fetch");
  checkTopic(request.topic, request.partition);
  integer(request.fetchOffset, "fetchOffset", 0);
  integer(request.leaderEpoch, "leaderEpoch", -1);
  integer(request.lastFetchedEpoch, "lastFetchedEpoch", -1);
  integer(request.maxBytes, "maxBytes", 0);
  integer(request.maxWaitMs, "maxWaitMs", 0);
  integer(request.replicaId, "replicaId", 0);
}

/**
 * Validates an {@link OffsetForLeaderEpochRequest}.
 *
 * @example
 * ```ts
 * checkOffsetForLeaderEpochRequest({ topic: "t", partition: 0, leaderEpoch: 3, currentLeaderEpoch: 4 });
 * ```
 */
export function checkOffsetForLeaderEpochRequest(request: OffsetForLeaderEpochRequest): void {
  checkObject(request, "OffsetsForLeaderEpoch");
  checkTopic(request.topic, request.partition);
  integer(request.leaderEpoch, "leaderEpoch", 0);
  integer(request.currentLeaderEpoch, "currentLeaderEpoch", -1);
}

function checkObject(request: unknown, what: string): void {
  if (typeof request !== "object" || request === null) throw new EdgelogError("INVALID_REQUEST", `A ${what} request must be an object`);
}

function checkTopic(topic: unknown, partition: unknown): void {
  if (typeof topic !== "string" || topic === "") throw new EdgelogError("INVALID_REQUEST", "topic must be a non-empty string");
  integer(partition, "partition", 0);
}

function integer(value: unknown, name: string, min: number): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new EdgelogError("INVALID_REQUEST", `${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}
