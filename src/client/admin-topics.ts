/**
 * The topic ops of the admin client: create, delete, list and describe topics, and add partitions.
 * {@link Admin} documents each one; these functions do the work behind its methods.
 *
 * @example
 * ```ts
 * await createTopics(requests, { topics: [{ topic: "orders", numPartitions: 3 }] }); // true
 * ```
 * @module
 */
import type { CreatePartitionsResponse, CreateTopicsResponse, DeleteTopicsResponse, MetadataResponse } from "../protocol/index.ts";
import type { Admin } from "./admin.ts";
import { type AdminRequests, itemError, list } from "./admin-request.ts";
import type { TopicDescription } from "./admin-types.ts";
import { fromWireError } from "../protocol/wire-error.ts";

/**
 * {@link Admin.createTopics}: `true` when every topic was created, `false` when some already existed.
 *
 * @example
 * ```ts
 * await createTopics(requests, { topics: [{ topic: "orders", numPartitions: 3 }] }); // true
 * ```
 */
export async function createTopics(requests: AdminRequests, request: Parameters<Admin["createTopics"]>[0]): Promise<boolean> {
  const topics = list(request?.topics, "createTopics() topics").map((t, i) => {
    if (t === null || typeof t !== "object" || typeof t.topic !== "string") throw new TypeError(`createTopics() topic ${i} needs a name`);
    const configs: Record<string, string> = {};
    for (const entry of t.configEntries ?? []) configs[entry.name] = String(entry.value);
    for (const [key, value] of Object.entries(t.configs ?? {})) configs[key] = String(value);
    return {
      topic: t.topic,
      ...(t.numPartitions === undefined ? {} : { numPartitions: t.numPartitions }),
      ...(t.replicationFactor === undefined ? {} : { replicationFactor: t.replicationFactor }),
      configs,
    };
  });
  const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
  const reply = await requests.call<CreateTopicsResponse>("createTopics", { topics, validateOnly: request.validateOnly ?? false, timeoutMs }, timeoutMs);
  let allCreated = true;
  for (const result of reply.topics) {
    if (result.error === undefined) continue;
    if (result.error.code === "TOPIC_ALREADY_EXISTS") allCreated = false;
    else throw itemError(result.error, { topic: result.topic });
  }
  return allCreated;
}

/**
 * {@link Admin.deleteTopics}: rejects with the first per-topic error.
 *
 * @example
 * ```ts
 * await deleteTopics(requests, { topics: ["orders"] });
 * ```
 */
export async function deleteTopics(requests: AdminRequests, request: Parameters<Admin["deleteTopics"]>[0]): Promise<void> {
  const topics = list(request?.topics, "deleteTopics() topics");
  const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
  const reply = await requests.call<DeleteTopicsResponse>("deleteTopics", { topics, timeoutMs }, timeoutMs);
  for (const result of reply.topics) if (result.error !== undefined) throw itemError(result.error, { topic: result.topic });
}

/**
 * {@link Admin.listTopics}: the names of every topic, internal ones excluded.
 *
 * @example
 * ```ts
 * await listTopics(requests); // ["orders", "payments"]
 * ```
 */
export async function listTopics(requests: AdminRequests): Promise<string[]> {
  const reply = await requests.call<MetadataResponse>("metadata", { topics: null });
  return reply.topics.filter((t) => t.error === undefined && !t.internal).map((t) => t.topic);
}

/**
 * {@link Admin.fetchTopicMetadata}: topics (all when `topics` is absent) with their partitions.
 *
 * @example
 * ```ts
 * const { topics } = await fetchTopicMetadata(requests, { topics: ["orders"] });
 * ```
 */
export async function fetchTopicMetadata(
  requests: AdminRequests,
  request: Parameters<Admin["fetchTopicMetadata"]>[0] = {},
): Promise<{ topics: TopicDescription[] }> {
  const topics = request.topics === undefined ? null : list(request.topics, "fetchTopicMetadata() topics");
  const reply = await requests.call<MetadataResponse>("metadata", { topics });
  return {
    topics: reply.topics.map((t) => {
      if (t.error !== undefined) throw itemError(t.error, { topic: t.topic });
      return {
        name: t.topic,
        partitions: t.partitions.map((p) => ({
          partitionId: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
          partitionErrorCode: p.error === undefined ? 0 : fromWireError(p.error).kafkaCode,
        })),
      };
    }),
  };
}

/**
 * The partition ids of `topic`, ascending.
 *
 * @example
 * ```ts
 * await partitionsOf(requests, "orders"); // [0, 1, 2]
 * ```
 */
export async function partitionsOf(requests: AdminRequests, topic: string): Promise<number[]> {
  const { topics } = await fetchTopicMetadata(requests, { topics: [topic] });
  return topics[0]!.partitions.map((p) => p.partitionId).sort((a, b) => a - b);
}

/**
 * {@link Admin.createPartitions}: raises topics' partition counts to `count` (the new total).
 *
 * @example
 * ```ts
 * await createPartitions(requests, { topicPartitions: [{ topic: "orders", count: 12 }] });
 * ```
 */
export async function createPartitions(requests: AdminRequests, request: Parameters<Admin["createPartitions"]>[0]): Promise<void> {
  const topics = list(request?.topicPartitions, "createPartitions() topicPartitions").map((t) => ({ topic: t.topic, count: t.count }));
  const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
  const reply = await requests.call<CreatePartitionsResponse>(
    "createPartitions",
    { topics, validateOnly: request.validateOnly ?? false, timeoutMs },
    timeoutMs,
  );
  for (const result of reply.topics) if (result.error !== undefined) throw itemError(result.error, { topic: result.topic });
}
