/**
 * `metadata`: the cluster's brokers and, for each topic, its partitions with leader, replicas and
 * in-sync replicas. Clients use it to find which broker leads a partition.
 *
 * ```
 * MetadataRequest =>
 *   id: uint
 *   op: "metadata"
 *   topics?: [string] | null    absent or null: every topic; [] : no topic (brokers only)
 *
 * MetadataResponse =>
 *   id: uint
 *   clusterId: string
 *   controllerId: int32         -1 when unknown
 *   brokers: [{ brokerId: int32, url: string, rack: string | null }]
 *   topics: [{
 *     topic: string
 *     topicId?: string          Kafka's topic id (22 characters, base64url); absent with an error
 *     error?: WireError         UNKNOWN_TOPIC_OR_PARTITION for a requested topic that does not exist
 *     internal: bool
 *     partitions: [{
 *       partition: int32
 *       leader: int32           -1 when the partition has no leader
 *       leaderEpoch: int32
 *       replicas: [int32]       broker ids holding a copy, preferred leader first
 *       isr: [int32]            replicas in sync with the leader
 *       offlineReplicas: [int32]
 *       error?: WireError       e.g. LEADER_NOT_AVAILABLE
 *     }]
 *   }]
 * ```
 *
 * @example
 * ```ts
 * decodeMetadataRequest({ id: 2, op: "metadata", topics: ["orders"] }); // { id: 2, op: "metadata", topics: ["orders"] }
 * ```
 * @module
 */
import { openRequest, type RequestId, type WireError } from "../envelope.ts";
import { readString } from "../fields.ts";

/** A decoded `metadata` request; `topics: null` asks for every topic. */
export interface MetadataRequest {
  id: RequestId;
  op: "metadata";
  topics: string[] | null;
}

/** One broker of the cluster and the WebSocket URL that reaches it. */
export interface BrokerMetadata {
  brokerId: number;
  url: string;
  rack: string | null;
}

/** One partition's placement. */
export interface PartitionMetadata {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  error?: WireError;
}

/** One topic's partitions, or the error that kept it from being described. */
export interface TopicMetadata {
  topic: string;
  /** Kafka's topic id (22 characters of base64url); absent with an error. */
  topicId?: string;
  error?: WireError;
  internal: boolean;
  partitions: PartitionMetadata[];
}

/** The reply to `metadata`. */
export interface MetadataResponse {
  id: RequestId;
  clusterId: string;
  controllerId: number;
  brokers: BrokerMetadata[];
  topics: TopicMetadata[];
}

/**
 * Validates a decoded `metadata` frame.
 *
 * @example
 * ```ts
 * decodeMetadataRequest({ id: 2, op: "metadata" }).topics; // null: every topic
 * ```
 */
export function decodeMetadataRequest(frame: unknown): MetadataRequest {
  const { id, fields } = openRequest(frame, "metadata");
  return { id, op: "metadata", topics: fields.optionalList("topics", readString) ?? null };
}

/**
 * Builds the reply to `metadata`.
 *
 * @example
 * ```ts
 * metadataResponse(req.id, { clusterId, controllerId: 1, brokers, topics });
 * ```
 */
export function metadataResponse(id: RequestId, body: Omit<MetadataResponse, "id">): MetadataResponse {
  return { id, ...body };
}
