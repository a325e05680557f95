/**
 * The cluster ops of the admin client: describe the cluster, elect leaders, and start, cancel and
 * list partition reassignments. {@link Admin} documents each one; these functions do the work
 * behind its methods.
 *
 * @example
 * ```ts
 * await electLeaders(requests, { electionType: "preferred" });
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import type {
  AlterPartitionReassignmentsResponse,
  ElectLeadersResponse,
  ListPartitionReassignmentsResponse,
  MetadataResponse,
  WireOngoingReassignment,
} from "../protocol/index.ts";
import type { Admin } from "./admin.ts";
import { type AdminRequests, itemError, list } from "./admin-request.ts";
import type { ClusterDescription } from "./admin-types.ts";

/**
 * {@link Admin.describeCluster}: the cluster id, the controller and the brokers with their URLs.
 *
 * @example
 * ```ts
 * (await describeCluster(requests)).brokers; // [{ nodeId: 1, url: "ws://localhost:9092/", rack: null }]
 * ```
 */
export async function describeCluster(requests: AdminRequests): Promise<ClusterDescription> {
  const reply = await requests.call<MetadataResponse>("metadata", { topics: [] });
  return {
    clusterId: reply.clusterId,
    controller: reply.controllerId,
    brokers: reply.brokers.map((b) => ({ nodeId: b.brokerId, url: b.url, rack: b.rack })),
  };
}

/**
 * {@link Admin.electLeaders}: a preferred or unclean leader election; each partition answers on its own.
 *
 * @example
 * ```ts
 * await electLeaders(requests, { electionType: "preferred", partitions: [{ topic: "orders", partition: 0 }] });
 * ```
 */
export async function electLeaders(
  requests: AdminRequests,
  request: Parameters<Admin["electLeaders"]>[0],
): Promise<{ topic: string; partition: number; leader?: number; error?: EdgelogError }[]> {
  if (request === null || typeof request !== "object" || (request.electionType !== "preferred" && request.electionType !== "unclean")) {
    throw new TypeError('electLeaders() needs { electionType: "preferred" | "unclean" }');
  }
  const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
  const body: Record<string, unknown> = { electionType: request.electionType, timeoutMs };
  if (request.partitions !== undefined) body["partitions"] = list(request.partitions, "electLeaders() partitions");
  const reply = await requests.call<ElectLeadersResponse>("electLeaders", body, timeoutMs);
  return reply.partitions.map(({ topic, partition, leader, error }) => ({
    topic,
    partition,
    ...(leader === undefined ? {} : { leader }),
    ...(error === undefined ? {} : { error: itemError(error, { topic, partition }) }),
  }));
}

/**
 * {@link Admin.alterPartitionReassignments}: starts (or, with `replicas: null`, cancels) moves;
 * each partition answers on its own.
 *
 * @example
 * ```ts
 * await alterPartitionReassignments(requests, { partitions: [{ topic: "orders", partition: 0, replicas: [1, 2] }] });
 * ```
 */
export async function alterPartitionReassignments(
  requests: AdminRequests,
  request: Parameters<Admin["alterPartitionReassignments"]>[0],
): Promise<{ topic: string; partition: number; error?: EdgelogError }[]> {
  const partitions = list(request?.partitions, "alterPartitionReassignments() partitions");
  const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
  const reply = await requests.call<AlterPartitionReassignmentsResponse>("alterPartitionReassignments", { partitions, timeoutMs }, timeoutMs);
  return reply.partitions.map(({ topic, partition, error }) =>
    error === undefined ? { topic, partition } : { topic, partition, error: itemError(error, { topic, partition }) },
  );
}

/**
 * {@link Admin.listPartitionReassignments}: the reassignments running now.
 *
 * @example
 * ```ts
 * await listPartitionReassignments(requests); // [{ topic: "orders", partition: 0, replicas: [1, 2, 0], addingReplicas: [], removingReplicas: [0] }]
 * ```
 */
export async function listPartitionReassignments(
  requests: AdminRequests,
  request: Parameters<Admin["listPartitionReassignments"]>[0] = {},
): Promise<WireOngoingReassignment[]> {
  const body: Record<string, unknown> = {};
  if (request.partitions !== undefined) body["partitions"] = list(request.partitions, "listPartitionReassignments() partitions");
  const reply = await requests.call<ListPartitionReassignmentsResponse>("listPartitionReassignments", body);
  return reply.reassignments;
}
