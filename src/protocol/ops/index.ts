/**
 * The registry of ops: each op name with the decoder that validates its request, so a server can
 * dispatch, plus the names reserved for Kafka's classic group protocol (JoinGroup, Heartbeat,
 * LeaveGroup), which `groupHeartbeat` replaces.
 *
 * @example
 * ```ts
 * import { decodeRequest } from "./ops/index.ts";
 * const request = decodeRequest(decodeFrame(message));
 * switch (request.op) { case "fetch": return fetch(request); ... }
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { decodeEnvelope } from "../envelope.ts";
import { decodeAlterConfigsRequest } from "./alter-configs.ts";
import { decodeAlterPartitionReassignmentsRequest } from "./alter-partition-reassignments.ts";
import { decodeCreatePartitionsRequest } from "./create-partitions.ts";
import { decodeCreateTopicsRequest } from "./create-topics.ts";
import { decodeCreditRequest } from "./credit.ts";
import { decodeDeleteGroupsRequest } from "./delete-groups.ts";
import { decodeDeleteRecordsRequest } from "./delete-records.ts";
import { decodeDeleteTopicsRequest } from "./delete-topics.ts";
import { decodeDescribeConfigsRequest } from "./describe-configs.ts";
import { decodeDescribeGroupsRequest } from "./describe-groups.ts";
import { decodeDescribeLagRequest } from "./describe-lag.ts";
import { decodeElectLeadersRequest } from "./elect-leaders.ts";
import { decodeFetchRequest } from "./fetch.ts";
import { decodeGroupHeartbeatRequest } from "./group-heartbeat.ts";
import { decodeGroupSubscribeRequest } from "./group-subscribe.ts";
import { decodeHelloRequest } from "./hello.ts";
import { decodeListGroupsRequest } from "./list-groups.ts";
import { decodeListOffsetsRequest } from "./list-offsets.ts";
import { decodeListPartitionReassignmentsRequest } from "./list-partition-reassignments.ts";
import { decodeMetadataRequest } from "./metadata.ts";
import { decodeOffsetCommitRequest } from "./offset-commit.ts";
import { decodeOffsetFetchRequest } from "./offset-fetch.ts";
import { decodeOffsetForLeaderEpochRequest } from "./offset-for-leader-epoch.ts";
import { decodeProduceRequest } from "./produce.ts";
import { decodeReplicaFetchRequest } from "./replica-fetch.ts";
import { decodeResetOffsetsRequest } from "./reset-offsets.ts";
import { decodeSubscribeRequest } from "./subscribe.ts";
import { decodeUnsubscribeRequest } from "./unsubscribe.ts";

/** Each op's request decoder, by op name. */
export const OP_DECODERS = Object.freeze({
  hello: decodeHelloRequest,
  metadata: decodeMetadataRequest,
  createTopics: decodeCreateTopicsRequest,
  deleteTopics: decodeDeleteTopicsRequest,
  createPartitions: decodeCreatePartitionsRequest,
  describeConfigs: decodeDescribeConfigsRequest,
  alterConfigs: decodeAlterConfigsRequest,
  produce: decodeProduceRequest,
  fetch: decodeFetchRequest,
  listOffsets: decodeListOffsetsRequest,
  deleteRecords: decodeDeleteRecordsRequest,
  subscribe: decodeSubscribeRequest,
  credit: decodeCreditRequest,
  unsubscribe: decodeUnsubscribeRequest,
  groupHeartbeat: decodeGroupHeartbeatRequest,
  groupSubscribe: decodeGroupSubscribeRequest,
  offsetCommit: decodeOffsetCommitRequest,
  offsetFetch: decodeOffsetFetchRequest,
  listGroups: decodeListGroupsRequest,
  describeGroups: decodeDescribeGroupsRequest,
  describeLag: decodeDescribeLagRequest,
  deleteGroups: decodeDeleteGroupsRequest,
  resetOffsets: decodeResetOffsetsRequest,
  electLeaders: decodeElectLeadersRequest,
  alterPartitionReassignments: decodeAlterPartitionReassignmentsRequest,
  listPartitionReassignments: decodeListPartitionReassignmentsRequest,
});

/** The name of an op this protocol version defines. */
export type OpName = keyof typeof OP_DECODERS;

/** Any decoded request, discriminated by `op`. */
export type Request = ReturnType<(typeof OP_DECODERS)[OpName]>;

/** The decoded request of one op. */
export type RequestOf<K extends OpName> = Extract<Request, { op: K }>;

/** Every op name, in the order of the spec. */
export const OP_NAMES: readonly OpName[] = Object.freeze(Object.keys(OP_DECODERS) as OpName[]);

/**
 * Op names reserved for Kafka's classic group protocol (JoinGroup/SyncGroup, Heartbeat, LeaveGroup);
 * version 1 offers `groupHeartbeat` (KIP-848) instead, and brokers answer these as unknown ops.
 */
export const PLANNED_OP_NAMES: readonly string[] = Object.freeze(["joinGroup", "heartbeat", "leaveGroup"]);

/**
 * Whether `name` is an op this protocol version defines.
 *
 * @example
 * ```ts
 * isOpName("fetch");     // true
 * isOpName("joinGroup"); // false: planned
 * isOpName("toString");  // false
 * ```
 */
export function isOpName(name: string): name is OpName {
  return Object.hasOwn(OP_DECODERS, name);
}

/**
 * The broker-internal ops: what a follower broker asks its leader (Kafka's replica Fetch and
 * OffsetsForLeaderEpoch). They are not ops of the client protocol: {@link OP_NAMES} and `hello` leave
 * them out, and {@link decodeRequest} answers them as unknown; a broker decodes them with
 * {@link decodeBrokerRequest}.
 *
 * @example
 * ```ts
 * INTERNAL_OP_DECODERS.replicaFetch(frame).fetchOffset;
 * ```
 */
export const INTERNAL_OP_DECODERS = Object.freeze({
  replicaFetch: decodeReplicaFetchRequest,
  offsetForLeaderEpoch: decodeOffsetForLeaderEpochRequest,
});

/**
 * The name of a broker-internal op.
 *
 * @example
 * ```ts
 * const op: InternalOpName = "offsetForLeaderEpoch";
 * ```
 */
export type InternalOpName = keyof typeof INTERNAL_OP_DECODERS;

/**
 * Any decoded broker-internal request, discriminated by `op`.
 *
 * @example
 * ```ts
 * const request: InternalRequest = INTERNAL_OP_DECODERS.replicaFetch(frame);
 * ```
 */
export type InternalRequest = ReturnType<(typeof INTERNAL_OP_DECODERS)[InternalOpName]>;

/**
 * Every broker-internal op name.
 *
 * @example
 * ```ts
 * INTERNAL_OP_NAMES; // ["replicaFetch", "offsetForLeaderEpoch"]
 * ```
 */
export const INTERNAL_OP_NAMES: readonly InternalOpName[] = Object.freeze(Object.keys(INTERNAL_OP_DECODERS) as InternalOpName[]);

/**
 * Whether `name` is a broker-internal op.
 *
 * @example
 * ```ts
 * isInternalOpName("replicaFetch"); // true
 * isInternalOpName("fetch");        // false: a client op
 * ```
 */
export function isInternalOpName(name: string): name is InternalOpName {
  return Object.hasOwn(INTERNAL_OP_DECODERS, name);
}

/**
 * Validates a decoded frame as any request a broker answers: a client op ({@link decodeRequest}) or a
 * broker-internal one. Throws only `EdgelogError("INVALID_REQUEST")`.
 *
 * @example
 * ```ts
 * decodeBrokerRequest({ id: 1, op: "offsetForLeaderEpoch", topic: "t", partition: 0, leaderEpoch: 2, currentLeaderEpoch: 3 }).op; // "offsetForLeaderEpoch"
 * ```
 */
export function decodeBrokerRequest(frame: unknown): Request | InternalRequest {
  const { op } = decodeEnvelope(frame);
  return isInternalOpName(op) ? INTERNAL_OP_DECODERS[op](frame) : decodeRequest(frame);
}

/**
 * Validates any decoded frame as a request: the envelope, then the op's own fields. Throws only
 * `EdgelogError("INVALID_REQUEST")`: for a bad envelope, an unknown (or planned) op, or a bad field.
 *
 * @example
 * ```ts
 * decodeRequest({ id: 1, op: "unsubscribe", sub: 3 }); // { id: 1, op: "unsubscribe", sub: 3 }
 * decodeRequest({ id: 1, op: "joinGroup" });           // throws INVALID_REQUEST: Unknown op "joinGroup" ...
 * ```
 */
export function decodeRequest(frame: unknown): Request {
  const { op } = decodeEnvelope(frame);
  if (!isOpName(op)) {
    const planned = PLANNED_OP_NAMES.includes(op) ? " (planned for a later version)" : "";
    const shown = op.length > 40 ? `${op.slice(0, 40)}…` : op;
    throw new EdgelogError("INVALID_REQUEST", `Unknown op ${JSON.stringify(shown)}${planned}`, { details: { field: "op" } });
  }
  return OP_DECODERS[op](frame);
}

export * from "./alter-configs.ts";
export * from "./alter-partition-reassignments.ts";
export * from "./create-partitions.ts";
export * from "./create-topics.ts";
export * from "./credit.ts";
export * from "./delete-groups.ts";
export * from "./delete-records.ts";
export * from "./delete-topics.ts";
export * from "./describe-configs.ts";
export * from "./describe-groups.ts";
export * from "./describe-lag.ts";
export * from "./elect-leaders.ts";
export * from "./fetch.ts";
export * from "./group-heartbeat.ts";
export * from "./group-subscribe.ts";
export * from "./hello.ts";
export * from "./list-groups.ts";
export * from "./list-offsets.ts";
export * from "./list-partition-reassignments.ts";
export * from "./metadata.ts";
export * from "./offset-commit.ts";
export * from "./offset-fetch.ts";
export * from "./offset-for-leader-epoch.ts";
export * from "./produce.ts";
export * from "./replica-fetch.ts";
export * from "./reset-offsets.ts";
export * from "./subscribe.ts";
export * from "./unsubscribe.ts";
